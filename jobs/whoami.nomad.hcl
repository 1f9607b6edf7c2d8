# Two instances of a tiny HTTP server that answers with its container's hostname,
# registered in Consul as "whoami" with an HTTP health check.
job "whoami" {
  datacenters = ["*"]
  type        = "service"

  # Healthy once its checks (run every second) have passed for 1 s (Nomad's default is 10 s): they prove the
  # service answers, and a lab's deploy need not wait longer than that.
  update {
    min_healthy_time = "1s"
  }

  group "whoami" {
    count = 2

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "whoami"
      port     = "http"
      provider = "consul"

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
        # Built offline by `nomad-lab image build` and preloaded on the clients.
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
