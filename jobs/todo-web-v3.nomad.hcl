# The to-do app's web, third version: its configuration is an artifact, downloaded from the lab's file
# server (files.nomad.hcl) when an allocation starts, and rendered by a template that reads the database's
# address and port from Consul's catalog into the task's environment (DB_ADDRESS, DB_PORT, TODO_TITLE).
# The configuration is versioned: `nomad job run -var config=2 todo-web-v3.nomad.hcl` downloads
# todo-web-2.tpl in new allocations. When todo-db moves, the template renders again and the task restarts.
variable "config" {
  type        = string
  description = "which version of the configuration artifact to download (todo-web-<config>.tpl)"
  default     = "1"
}

job "todo-web" {
  datacenters = ["*"]
  type        = "service"

  meta {
    config = var.config
  }

  update {
    min_healthy_time = "1s"
  }

  group "todo-web" {
    count = 2

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "todo-web"
      port     = "http"
      provider = "consul"

      check {
        type     = "http"
        path     = "/healthz"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "todo-web" {
      driver = "docker"

      config {
        image   = "nomadlab/mariadb:1"
        command = "/usr/local/bin/todo-httpd"
        ports   = ["http"]
      }

      # Fetched by the client (its resolver answers .consul) into the task's folder before the task starts.
      artifact {
        source      = "http://files.service.consul:8070/todo-web-${var.config}.tpl"
        destination = "local/todo-web.tpl"
        mode        = "file"
      }

      template {
        source      = "local/todo-web.tpl"
        destination = "local/todo-web.env"
        env         = true
        change_mode = "restart"
      }

      env {
        PORT        = "8080"
        DB_PASSWORD = "todo"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
