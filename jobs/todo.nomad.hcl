# The to-do app, first shape: one group with the database and the web side by side. Each registers
# its own Consul service, and the web still finds the database through Consul DNS
# (todo-db.service.consul SRV), as it does when they become two jobs (todo-db.nomad.hcl and
# todo-web.nomad.hcl; stop this job before running those: the service names are the same).
job "todo" {
  datacenters = ["*"]
  type        = "service"

  group "todo" {
    count = 1

    network {
      port "db" {
        to = 3306
      }
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "todo-db"
      port     = "db"
      provider = "consul"

      check {
        type     = "tcp"
        interval = "1s"
        timeout  = "1s"
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

    task "todo-db" {
      driver = "docker"

      config {
        image = "nomadlab/mariadb:1"
        ports = ["db"]
      }

      env {
        MYSQL_ROOT_PASSWORD = "todo"
      }

      resources {
        cpu    = 200
        memory = 384
      }
    }

    task "todo-web" {
      driver = "docker"

      config {
        image       = "nomadlab/mariadb:1"
        command     = "/usr/local/bin/todo-httpd"
        ports       = ["http"]
        dns_servers = ["${attr.unique.network.ip-address}"]
      }

      env {
        PORT        = "8080"
        DB_SERVICE  = "todo-db.service.consul"
        DB_PASSWORD = "todo"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
