# A task's own registry credentials (docker `auth` block), instead of the client's: the password comes in as a
# variable, never written in the file.
#   nomad-lab nomad -f examples/registry.yaml job run \
#     -var registry_password="$(nomad-lab registry -f examples/registry.yaml --password)" jobs/registry-task-auth.nomad.hcl
variable "registry_password" {
  type = string
}

job "registry-task-auth" {
  datacenters = ["*"]
  type        = "service"

  group "whoami" {
    network {
      port "http" {
        to = 8080
      }
    }

    task "whoami" {
      driver = "docker"

      config {
        image = "10.82.0.10:5000/nomadlab/whoami:1"
        ports = ["http"]
        # Replaces the credentials of the client's docker plugin for this task's pull.
        auth {
          username = "nomadlab"
          password = var.registry_password
        }
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
