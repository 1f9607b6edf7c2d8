# A wrong registry password in a task's `auth` block: the registry refuses the pull, Nomad retries and the
# allocation fails, and `nomad-lab verify` names the job, its allocation and the reason.
#   nomad-lab nomad -f examples/registry.yaml job run -detach jobs/registry-bad-auth.nomad.hcl
#   nomad-lab verify -f examples/registry.yaml
job "registry-bad-auth" {
  datacenters = ["*"]
  type        = "service"

  group "whoami" {
    task "whoami" {
      driver = "docker"

      config {
        image = "10.82.0.10:5000/nomadlab/whoami:1"
        # Pull every time: an image already on the client would hide the refusal.
        force_pull = true
        auth {
          username = "nomadlab"
          password = "not-the-password"
        }
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
