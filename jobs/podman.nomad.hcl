# A web server run by the podman task driver (the nomad-driver-podman plugin) instead of Docker, with the
# driver's own task options: image, command and args, ports, volumes, hostname, init and memory_reservation,
# and the task's user. The client needs cluster.yaml `drivers.podman.enabled: true` (see examples/podman.yaml);
# `podman ps` on it lists the container.
job "podman-web" {
  datacenters = ["*"]
  type        = "service"

  update {
    min_healthy_time = "1s"
  }

  group "web" {
    count = 1

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "podman-web"
      port     = "http"
      provider = "consul"

      check {
        type     = "http"
        path     = "/"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "web" {
      driver = "podman"

      config {
        # Built offline by `nomad-lab image build` and loaded into the podman clients' own image store.
        image   = "nomadlab/toolbox:1"
        command = "httpd"
        args    = ["-f", "-v", "-p", "8080", "-h", "/www"]
        ports   = ["http"]
        # The page below, from the task's own folder (a relative path), read-only inside.
        volumes  = ["local/www:/www:ro"]
        hostname = "podman-web"
        # catatonit as PID 1: signals reach httpd, zombies are reaped.
        init               = true
        memory_reservation = "16m"
      }

      # The task's user (a task option the podman driver honours): nobody, the server needs no root inside.
      user = "65534:65534"

      template {
        destination = "local/www/index.html"
        data        = "hello from podman on {{ env \"node.unique.name\" }}\n"
      }

      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
