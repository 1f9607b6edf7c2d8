# whoami pulled from the lab registry (examples/registry.yaml: `registry: { node: server }`): `nomad-lab up` pushed
# the image there; the clients' docker plugin has the registry's credentials (client.hcl `auth { config }`) and
# trusts its certificate (the lab CA in /etc/docker/certs.d/10.82.0.10:5000/ca.crt).
job "registry-whoami" {
  datacenters = ["*"]
  type        = "service"

  update {
    min_healthy_time = "1s"
  }

  group "whoami" {
    count = 1

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "registry-whoami"
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
        # The registry's address and port, then the image's own name: what `nomad-lab registry` prints.
        image = "10.82.0.10:5000/nomadlab/whoami:1"
        ports = ["http"]
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
