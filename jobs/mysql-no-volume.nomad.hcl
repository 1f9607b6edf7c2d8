# mysql.nomad.hcl without the host volume: MariaDB keeps its data in the allocation's container, so a
# database created in it is gone after `nomad job stop mysql` and a new run. Same job name, same port.
job "mysql" {
  datacenters = ["*"]
  type        = "service"

  group "mysql" {
    count = 1

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
