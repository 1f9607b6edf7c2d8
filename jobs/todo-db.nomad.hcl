# The to-do app's database (second shape: a job of its own): MariaDB with resource limits and a TCP
# check, registered in Consul as "todo-db", data on the host volume "todo-db" so the items outlive a
# restart of this job. todo-web finds it through Consul DNS (todo-db.service.consul SRV).
job "todo-db" {
  datacenters = ["*"]
  type        = "service"

  group "todo-db" {
    count = 1

    volume "todo-db" {
      type      = "host"
      source    = "todo-db"
      read_only = false
    }

    network {
      port "db" {
        to = 3306
      }
    }

    service {
      name     = "todo-db"
      port     = "db"
      provider = "consul"

      check {
        type     = "tcp"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "todo-db" {
      driver = "docker"

      config {
        image = "nomadlab/mariadb:1"
        ports = ["db"]
      }

      volume_mount {
        volume      = "todo-db"
        destination = "/var/lib/mysql"
      }

      env {
        MYSQL_ROOT_PASSWORD = "todo"
      }

      resources {
        cpu    = 200
        memory = 384
      }
    }
  }
}
