# A privileged container: every capability and every device of its client (the client must allow it:
# cluster.yaml `drivers.docker.allow_privileged: true`). A batch job that prints its effective capabilities
# (`nomad-lab alloc logs privileged`) and creates a network link, which needs them.
# Where the machine itself lacks a capability (a container host without CAP_SYS_RESOURCE, as this project's
# CI machine is), Docker cannot start any privileged container: the allocation fails with
# "unable to apply caps", and `nomad-lab alloc status privileged` shows it.
job "privileged" {
  datacenters = ["*"]
  type        = "batch"

  group "privileged" {
    count = 1

    restart {
      attempts = 0
      mode     = "fail"
    }

    reschedule {
      attempts  = 0
      unlimited = false
    }

    task "privileged" {
      driver = "docker"

      config {
        image      = "nomadlab/toolbox:1"
        command    = "/bin/sh"
        args       = ["-c", "grep CapEff /proc/self/status && ip link add nomadlab0 type dummy && ip -o link show nomadlab0"]
        privileged = true
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
