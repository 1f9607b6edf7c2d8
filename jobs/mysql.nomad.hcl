# The workshop's MySQL (MariaDB, built offline: `nomad-lab image build`): a static port 3306, the root
# password from the job's env, and the data folder on the Nomad host volume "mysql" (cluster.yaml
# nodes[].host_volumes), so a database created in it survives `nomad job stop mysql` and a new run.
# mysql-no-volume.nomad.hcl is the same job without the volume: its databases go with its allocation.
job "mysql" {
  datacenters = ["*"]
  type        = "service"

  group "mysql" {
    count = 1

    # Only clients that declare the host volume can run this group.
    volume "mysql" {
      type      = "host"
      source    = "mysql"
      read_only = false
    }

    network {
      port "db" {
        static = 3306
      }
    }

    service {
      name     = "mysql"
      port     = "db"
      provider = "consul"

      check {
        type     = "tcp"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "mysql" {
      driver = "docker"

      config {
        image = "nomadlab/mariadb:1"
        ports = ["db"]
      }

      volume_mount {
        volume      = "mysql"
        destination = "/var/lib/mysql"
      }

      env {
        MYSQL_ROOT_PASSWORD = "workshop"
      }

      resources {
        cpu    = 200
        memory = 384
      }
    }
  }
}
