# Two tiers: a "db" (a line protocol on a dynamic port: send a record id, get the record)
# and a "web" whose / finds the db through Consul DNS (db.service.consul SRV: the db's
# address and port), asks it for a record and answers with it. /?id=2 asks for record 2.
#
# The containers resolve .consul through the node: Docker points them at the node's lab
# address, where dnsmasq forwards .consul to the local Consul agent (nomad-lab sets it up).
job "web-db" {
  datacenters = ["*"]
  type        = "service"

  # Healthy once its checks (run every second) have passed for 1 s (Nomad's default is 10 s): they prove the
  # service answers, and a lab's deploy need not wait longer than that.
  update {
    min_healthy_time = "1s"
  }

  group "db" {
    count = 1

    network {
      port "db" {
        to = 7000
      }
    }

    service {
      name     = "db"
      port     = "db"
      provider = "consul"

      check {
        type     = "tcp"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "db" {
      driver = "docker"

      config {
        # Built offline by `nomad-lab image build` and preloaded on the clients.
        image   = "nomadlab/toolbox:1"
        command = "/bin/db-server"
        ports   = ["db"]
      }

      env {
        PORT = "7000"
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }

  group "web" {
    count = 2

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "web"
      port     = "http"
      provider = "consul"

      # The web's own health; whether it reaches the db is what GET / shows.
      check {
        type     = "http"
        path     = "/healthz"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "web" {
      driver = "docker"

      config {
        image       = "nomadlab/toolbox:1"
        command     = "/bin/web-httpd"
        ports       = ["http"]
        # The node's lab address: dnsmasq there answers .consul from Consul DNS.
        dns_servers = ["${attr.unique.network.ip-address}"]
      }

      env {
        PORT       = "8080"
        DB_SERVICE = "db.service.consul"
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
