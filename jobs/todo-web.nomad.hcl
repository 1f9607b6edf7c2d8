# The to-do app's web (second shape: a job of its own, several instances): each request finds the
# database through Consul DNS (todo-db.service.consul SRV) and reads and writes the items there.
job "todo-web" {
  datacenters = ["*"]
  type        = "service"

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
        image       = "nomadlab/mariadb:1"
        command     = "/usr/local/bin/todo-httpd"
        ports       = ["http"]
        # The node's lab address: dnsmasq there answers .consul from Consul DNS.
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
