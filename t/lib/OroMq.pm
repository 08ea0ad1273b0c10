# t/lib/OroMq.pm — helpers of the message-queue tests (t/integration/1xx-mq-*.t,
# t/fault/*.t): a private oro-consumer with its own settings next to the stack's,
# pausing the stack's consumer, and reading the oro.test processor's log lines.
package OroMq;
use strict;
use warnings;
use Exporter 'import';
use File::Temp qw(tempdir);
use OroTest;

our @EXPORT = qw(ensure_stack stack_consumer_stop stack_consumer_start own_consumer_start own_consumer_stop
                 own_log processed_tags processed_ids dead_rows mq_stats transport sql_count
                 wait_consumer_pids);

sub transport { ($ENV{MQ} || 'dbal') }

# Starts the leg's stack if a test before this one (090-stack.t) left it stopped.
sub ensure_stack {
    my ($rc) = run_cmd(root_dir() . '/build/stack', 'status');
    return 1 if $rc == 0;
    ($rc, my $out, my $err) = run_cmd(root_dir() . '/build/stack', 'start');
    die "could not start the stack: $out$err" if $rc != 0;
    return 1;
}

sub sql_count { my ($q) = @_; my @r = sql($q); return $r[0] // 0 }

# Stops the stack's oro-consumer (SIGTERM, waits); the test runs its own instead.
sub stack_consumer_stop {
    my $pid = consumer_pid();
    return unless $pid && kill(0, $pid);
    kill 'TERM', $pid;
    wait_until(40, sub { !kill(0, $pid) });
}

# Starts the stack's oro-consumer again (build/stack starts what is not running).
sub stack_consumer_start {
    my ($rc, $out, $err) = run_cmd(root_dir() . '/build/stack', 'start');
    return $rc == 0;
}

my ($dir, $own_pidfile);

# own_consumer_start(\%directives, @args): an oro-consumer reading a configuration
# that includes the stack's and then sets %directives, with its own pid file and log.
# Returns the supervisor pid.
sub own_consumer_start {
    my ($directives, @args) = @_;
    $dir ||= tempdir(CLEANUP => 1);
    chmod 0777, $dir;
    $own_pidfile = "$dir/consumer.pid";
    unlink $own_pidfile;
    my %d = (OroConsumerPidFile => $own_pidfile, OroConsumerLog => "$dir/consumer.log",
             OroQueueRetryDelay => 20, OroQueueRetryMaxDelay => 100, %{ $directives || {} });
    open my $fh, '>', "$dir/oro.conf" or die "$dir/oro.conf: $!";
    print $fh 'Include ' . config_path() . "\n";
    print $fh "$_ $d{$_}\n" for sort keys %d;
    close $fh;
    my @as = $> == 0 ? ('runuser', '-u', 'oro', '--') : ();
    # NB: through run_cmd, so that the daemon keeps files open, not the test's stdout
    # (prove would wait for it to close)
    my ($rc, $out, $err) = run_cmd(@as, out_dir() . '/oro-consumer', '--config', "$dir/oro.conf", @args);
    die "own oro-consumer did not start: $err" if $rc != 0;
    my $pid = wait_until(10, sub { my $p = OroTest::slurp($own_pidfile); $p =~ s/\s+//g; $p });
    return $pid;
}

sub own_consumer_stop {
    return unless $own_pidfile;
    my $pid = OroTest::slurp($own_pidfile);
    $pid =~ s/\s+//g;
    return unless $pid && kill(0, $pid);
    kill 'TERM', $pid;
    wait_until(40, sub { !kill(0, $pid) });
}

# A test that dies must not leave its consumer running (t/run-all checks that the
# leg leaves no process behind).
END { local $?; own_consumer_stop() }

sub own_log { $dir ? OroTest::slurp("$dir/consumer.log") : '' }

# tag → number of "oro.test processed message ID tag TAG" lines
sub processed_tags {
    my (%n, $log);
    $log = own_log();
    $n{$1}++ while $log =~ /oro\.test processed message \d+ tag (\S+)/g;
    return \%n;
}

# message id → number of times it was processed (oro.test with record)
sub processed_ids {
    my (%n, $log);
    $log = own_log();
    $n{$1}++ while $log =~ /oro\.test processed message (\d+) tag/g;
    return \%n;
}

# the dead letters: list of [id, topic, attempts, last_error, body]
sub dead_rows {
    return map { [split /\t/] } sql('SELECT id, topic, attempts, last_error, body FROM oro_message_dead ORDER BY id');
}

sub mq_stats {
    my ($rc, $out) = oroctl('mq:stats', '--json');
    return $rc == 0 ? JSON::PP::decode_json($out) : undef;
}

sub wait_consumer_pids {
    my ($parent, $n) = @_;
    return wait_until(20, sub { my @w = worker_pids($parent); @w >= $n ? @w : () });
}

1;
