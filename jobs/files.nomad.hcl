# A file server inside the lab: busybox httpd on the static port 8070, serving what its templates write.
# It holds the to-do app's configuration as versioned artifacts (todo-web-1.tpl, ...), which todo-web's
# version 3 (todo-web-v3.nomad.hcl) downloads with an `artifact` block from files.service.consul:8070.
# To publish a new version, add a template here and run this job again (`nomad-lab up` when the lab file
# lists it), then run todo-web-v3 with `-var config=2`.
job "files" {
  datacenters = ["*"]
  type        = "service"

  update {
    min_healthy_time = "1s"
  }

  group "files" {
    count = 1

    network {
      port "http" {
        static = 8070
        to     = 8070
      }
    }

    service {
      name     = "files"
      port     = "http"
      provider = "consul"

      check {
        type     = "http"
        path     = "/todo-web-1.tpl"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "files" {
      driver = "docker"

      config {
        image   = "nomadlab/toolbox:1"
        command = "httpd"
        args    = ["-f", "-v", "-p", "8070", "-h", "/local/www"]
        ports   = ["http"]
      }

      # The artifact is itself a template for todo-web: its {{ }} are left for todo-web's Nomad to fill in,
      # so this template's own delimiters are [[ ]].
      template {
        destination     = "local/www/todo-web-1.tpl"
        left_delimiter  = "[["
        right_delimiter = "]]"
        data            = <<-EOT
          TODO_TITLE="To-do list (configuration 1)"
          {{ range service "todo-db" }}DB_ADDRESS={{ .Address }}
          DB_PORT={{ .Port }}
          {{ end }}
        EOT
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
