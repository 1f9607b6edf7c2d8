# The docker driver's task options in one job, each visible from the client (`docker inspect`) and on the
# page it serves: `args` (read by the script), `network_mode = "host"` (it listens on the client's own
# address, at NOMAD_ADDR_http), `cap_add` (the client must allow it: cluster.yaml `drivers.docker.allow_caps`),
# `labels`, `logging`, a bind mount of a host folder (`volumes`: needs `drivers.docker.volumes: true`), and
# CPU and memory limits from `resources`. `privileged` has a job of its own: privileged.nomad.hcl.
job "task-options" {
  datacenters = ["*"]
  type        = "service"

  update {
    min_healthy_time = "1s"
  }

  group "options" {
    count = 1

    network {
      port "http" {}
    }

    service {
      name     = "task-options"
      port     = "http"
      provider = "consul"

      check {
        type     = "http"
        path     = "/"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "options" {
      driver = "docker"

      config {
        image        = "nomadlab/toolbox:1"
        command      = "/bin/options-httpd"
        args         = ["--listen", "${NOMAD_ADDR_http}", "--greeting", "hello from args on port ${NOMAD_PORT_http}"]
        network_mode = "host"
        cap_add      = ["net_admin"]

        labels {
          episode = "task-options"
        }

        logging {
          type = "json-file"
          config {
            max-size = "1m"
            max-file = "2"
          }
        }

        # A host folder, read-only inside: what a node puts there, the task serves at /shared/.
        volumes = ["/srv/nomad/shared:/www/shared:ro"]
      }

      resources {
        cpu    = 150
        memory = 48
      }
    }
  }
}
