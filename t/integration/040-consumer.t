# oro-consumer: options, heartbeat rows, restart of a dead worker, SIGHUP reload,
# SIGTERM drain, pid file.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use OroTest;

my $consumer = out_dir() . '/oro-consumer';
my $config = config_path();

my ($rc, $out, $err) = run_cmd($consumer, '--help');
is($rc, 0, '--help exits 0');
like($out . $err, qr/--config/, '--help documents --config');
($rc, $out) = run_cmd($consumer, '--version');
is($rc, 0, '--version exits 0');
like($out, qr/^oro-consumer \d+\.\d+\.\d+/, '--version prints the version');
for my $bad (['--workers', '0'], ['--workers', 'abc'], ['--workers', '100000'], ['--nope']) {
    ($rc, $out, $err) = run_cmd($consumer, '--config', $config, '--foreground', @$bad);
    is($rc, 2, "@$bad exits 2");
    like($err, qr/\Q$bad->[0]\E/, "@$bad: the message names the option");
}
($rc, $out, $err) = run_cmd($consumer, '--config', '/nonexistent/httpd.conf', '--foreground');
is($rc, 3, 'a missing config file exits 3');
like($err, qr{/nonexistent/httpd\.conf}, 'and names it');

# The stack's consumer: supervisor plus two "default" workers, the indexer and, with
# amqp, the outbox relay, each alive in the status.
my $extra = 1 + (($ENV{MQ} || 'dbal') eq 'amqp' ? 1 : 0); # indexer, relay
my $n = 2 + $extra;
my $pid = consumer_pid();
ok($pid && kill(0, $pid), 'the stack consumer runs with a pid file') or BAIL_OUT('no consumer');
my @workers = wait_until(10, sub { my @w = worker_pids($pid); @w == $n ? @w : () });
is(scalar @workers, $n, "$n worker processes");
sub alive { my $d = json_of(http(GET => '/api/system/status')); return $d ? $d->{consumers}{alive} : -1 }
ok(wait_until(20, sub { alive() == $n }), "$n heartbeats") or diag alive();

($rc, $out, $err) = run_cmd($consumer, '--config', $config);
is($rc, 1, 'a second consumer with the same pid file refuses to start');
like($err, qr/already running \(pid $pid/, 'and names the running pid');

# A killed worker is replaced, and the count of live workers comes back.
kill 'KILL', $workers[0];
my @after = wait_until(15, sub {
    my @w = worker_pids($pid);
    return (@w == $n && !grep { $_ == $workers[0] } @w) ? @w : ();
});
is(scalar @after, $n, 'the killed worker was replaced');
ok(!grep({ $_ == $workers[0] } @after), 'by a new process');
ok(wait_until(20, sub { alive() == $n }), 'still all live heartbeats (the dead row was removed)')
    or diag alive();

# SIGHUP re-reads the configuration and replaces the workers.
kill 'HUP', $pid;
my @reloaded = wait_until(15, sub {
    my @w = worker_pids($pid);
    return (@w == $n && !grep { my $o = $_; grep { $_ == $o } @after } @w) ? @w : ();
});
is(scalar @reloaded, $n, 'SIGHUP replaced every worker');
ok(kill(0, $pid), 'the supervisor survived the reload');

# A separate consumer (own pid file, one worker) drains on SIGTERM.
my $tmp = tempdir(CLEANUP => 1);
chmod 0777, $tmp;
my $own_pid_file = "$tmp/c.pid";
($rc, $out, $err) = run_cmd($consumer, '--config', $config, '--workers', '1',
                            '--pidfile', $own_pid_file, '--log', "$tmp/c.log");
is($rc, 0, 'a second consumer with its own pid file starts in the background') or diag $err;
my $second = wait_until(10, sub { my $p = slurp($own_pid_file); $p =~ s/\s//g; $p });
ok($second, 'it wrote its pid file');
ok(wait_until(20, sub { alive() == $n + 1 + $extra }), 'its workers heartbeat too') or diag alive();
my @its_workers = worker_pids($second);
kill 'TERM', $second;
ok(wait_until(30, sub { !kill(0, $second) }), 'SIGTERM stops it');
ok(!grep({ kill 0, $_ } @its_workers), 'and its workers');
ok(!-e $own_pid_file, 'its pid file is removed');
ok(wait_until(10, sub { alive() == $n }), 'its heartbeat rows are gone') or diag alive();

done_testing;
