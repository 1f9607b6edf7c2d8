# A job whose data outlives it: the Nomad host volume "data" (cluster.yaml
# nodes[].host_volumes, on client1) is mounted at /data; every start appends
# "started <time> <alloc id>" to /data/starts.log and serves /data over HTTP.
# After `nomad job stop stateful` and a new run, /starts.log has one line more.
job "stateful" {
  datacenters = ["*"]
  type        = "service"

  # Healthy once its checks (run every second) have passed for 1 s (Nomad's default is 10 s): they prove the
  # service answers, and a lab's deploy need not wait longer than that.
  update {
    min_healthy_time = "1s"
  }

  group "stateful" {
    count = 1

    # Only clients that declare the host volume can run this group.
    volume "data" {
      type      = "host"
      source    = "data"
      read_only = false
    }

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "stateful"
      port     = "http"
      provider = "consul"

      check {
        type     = "http"
        path     = "/starts.log"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "stateful" {
      driver = "docker"

      config {
        image   = "nomadlab/toolbox:1"
        command = "/bin/stateful-httpd"
        ports   = ["http"]
      }

      volume_mount {
        volume      = "data"
        destination = "/data"
      }

      env {
        PORT     = "8080"
        DATA_DIR = "/data"
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
