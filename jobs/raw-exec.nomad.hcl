# raw_exec: a command run straight on the client, as root and without isolation (the driver must be
# enabled in client.hcl: cluster.yaml `drivers.raw_exec`). Here perl (perl-base is on every Debian)
# answers HTTP on the port Nomad gives it, at the client's lab address; Consul's check and verify reach it.
job "raw-exec" {
  datacenters = ["*"]
  type        = "service"

  update {
    min_healthy_time = "1s"
  }

  group "raw-exec" {
    count = 1

    network {
      port "http" {}
    }

    service {
      name     = "raw-exec"
      port     = "http"
      provider = "consul"

      check {
        type     = "http"
        path     = "/"
        interval = "1s"
        timeout  = "1s"
      }
    }

    task "serve" {
      driver = "raw_exec"

      config {
        command = "/usr/bin/perl"
        args    = ["${NOMAD_TASK_DIR}/serve.pl"]
      }

      # Nomad's own template block writes the script into the task's folder before it starts.
      template {
        destination = "local/serve.pl"
        data        = <<-EOT
          use strict;
          use IO::Socket::INET;
          my $server = IO::Socket::INET->new(LocalAddr => $ENV{NOMAD_IP_http}, LocalPort => $ENV{NOMAD_PORT_http},
                                             Listen => 16, ReuseAddr => 1) or die "listen: $!";
          $| = 1;
          print "raw-exec: serving on $ENV{NOMAD_ADDR_http} as uid $<\n";
          while (my $client = $server->accept) {
            my $request = <$client> // '';
            $request =~ s/\s+$//;
            while (my $line = <$client>) { last if $line =~ /^\r?$/ }
            my $body = "raw_exec on $ENV{NOMAD_ADDR_http}, pid $$, uid $<, alloc $ENV{NOMAD_ALLOC_ID}\n";
            print $client "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " . length($body) . "\r\n\r\n$body";
            close $client;
            print "raw-exec: $request\n";
          }
        EOT
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
