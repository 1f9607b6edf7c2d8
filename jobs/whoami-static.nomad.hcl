# whoami on the static port 8080 of its client: `curl CLIENT:8080` answers there. A static port can be
# taken once per node, so with two clients `count = 2` puts one instance on each, and a third cannot be
# placed: it waits, and `nomad-lab alloc status whoami-static` shows Nomad's reason
# (Dimension "network: reserved port collision http=8080" exhausted on 2 nodes).
job "whoami-static" {
  datacenters = ["*"]
  type        = "service"

  update {
    min_healthy_time = "1s"
  }

  group "whoami" {
    count = 2

    network {
      port "http" {
        static = 8080
      }
    }

    service {
      name     = "whoami-static"
      port     = "http"
      provider = "consul"
      # A tag: `dig SRV http.whoami-static.service.consul` (or _whoami-static._http.service.consul) asks for it.
      tags     = ["http"]

      check {
        type     = "http"
        path     = "/"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "whoami" {
      driver = "docker"

      config {
        image = "nomadlab/whoami:1"
        ports = ["http"]
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
