# oroctl cron: each due task runs once across concurrent runs; cleanup deletes exactly
# the old rows (jobs, dead letters, sessions, tokens); stale jobs are marked; no live
# consumer raises an alert; a missing table is a warning.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use OroTest;

my $db = $ENV{DB} || 'pgsql';
my $tag = "c$$";
my $my = $db eq 'mysql';
sub ago { my ($n, $unit) = @_; $my ? "UTC_TIMESTAMP(6) - INTERVAL $n " . uc($unit) : "now() - interval '$n ${unit}s'" }
sub table_exists {
    my ($t) = @_;
    my ($n) = sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '$t' AND table_schema = "
                  . ($my ? 'DATABASE()' : 'current_schema()'));
    return $n > 0;
}
my @tasks = qw(consumers dead-letters jobs-cleanup oauth-tokens sessions stale-jobs);

# --- usage
my ($rc, $out, $err) = oroctl('cron', '--bogus');
is($rc, 2, 'an unknown option exits 2');
($rc, $out, $err) = oroctl('cron', '--force', 'nope');
is($rc, 2, 'an unknown task exits 2');
like($err, qr/unknown task "nope"/, 'and names it');
($rc, $out, $err) = oroctl('cron', '--force');
is($rc, 2, '--force without a task exits 2');
($rc, $out, $err) = oroctl('cron', '--list', '--force', 'sessions');
is($rc, 2, '--list with --force exits 2');
($rc, $out) = run_cmd(out_dir() . '/oroctl', 'cron', '--help');
like($out, qr/^usage: oroctl .*cron/, 'cron --help');

# --- two runs started at once run each due task exactly once, round after round
for my $round (1 .. 3) {
    sql('UPDATE oro_cron_run SET next_due_at = 0') if $round > 1;
    my $dir = tempdir(CLEANUP => 1);
    my @pids;
    for my $i (1 .. 2) {
        my $pid = fork // die;
        if ($pid == 0) {
            open STDOUT, '>', "$dir/out$i" or die;
            open STDERR, '>', "$dir/err$i" or die;
            exec out_dir() . '/oroctl', '--config', config_path(), 'cron', '--verbose';
            exit 127;
        }
        push @pids, $pid;
    }
    my @codes;
    for (@pids) { waitpid $_, 0; push @codes, $? >> 8 }
    is_deeply(\@codes, [0, 0], "round $round: both runs exit 0") or diag slurp("$dir/err1"), slurp("$dir/err2");
    my %runs;
    for my $i (1, 2) {
        my $log = slurp("$dir/err$i");
        $runs{$1}++ while $log =~ /cron task ([a-z-]+)/g;
    }
    is_deeply(\%runs, {map { $_ => 1 } @tasks}, "round $round: every task ran exactly once")
        or diag explain \%runs;
}
($rc, $out, $err) = oroctl('cron', '--verbose');
is($rc, 0, 'a run right after');
unlike($err, qr/cron task/, 'finds nothing due');
($rc, $out) = oroctl('cron', '--list');
is($rc, 0, 'cron --list exits 0');
like($out, qr/^\Q$_\E\s+\d+s\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+(ok|skipped)\s+\d{4}-/m, "--list shows $_ with its last run and next due time")
    for @tasks;

# --- jobs-cleanup deletes successful roots after 14 days, failed ones after 30, children with them
my %age = (ok15 => ['success', 15], ok13 => ['success', 13], failed31 => ['failed', 31],
           failed29 => ['failed', 29], cancelled31 => ['cancelled', 31], stale31 => ['stale', 31]);
for my $k (sort keys %age) {
    my ($status, $days) = @{$age{$k}};
    sql("INSERT INTO oro_job (name, status, created_at, stopped_at, last_active_at) VALUES "
        . "('$tag-$k', '$status', " . ago($days + 1, 'day') . ', ' . ago($days, 'day') . ', ' . ago($days, 'day') . ')');
}
sql("INSERT INTO oro_job (name, status, created_at, last_active_at) VALUES ('$tag-running40', 'running', "
    . ago(40, 'day') . ', ' . ago(40, 'day') . ')');
my ($failed_id) = sql("SELECT id FROM oro_job WHERE name = '$tag-failed31'");
sql("INSERT INTO oro_job (root_job_id, name, status, created_at, stopped_at, last_active_at) VALUES "
    . "($failed_id, '$tag-child', 'failed', " . ago(32, 'day') . ', ' . ago(31, 'day') . ', ' . ago(31, 'day') . ')');
($rc, $out, $err) = oroctl('cron', '--force', 'jobs-cleanup');
is($rc, 0, 'cron --force jobs-cleanup exits 0') or diag $err;
like($err, qr/deleted 1 successful job\(s\) older than 14 days and 3 failed/, 'and says what it deleted');
my @left = sql("SELECT name FROM oro_job WHERE name LIKE '$tag-%' ORDER BY name");
is_deeply(\@left, ["$tag-failed29", "$tag-ok13", "$tag-running40"], 'exactly the old ended roots and their children are gone');

# --- dead letters older than OroDeadLetterMaxAge days (7 in a config of our own)
my $tmp = tempdir(CLEANUP => 1);
chmod 0755, $tmp;
open my $fh, '>', "$tmp/cron.conf" or die;
print $fh 'Include ' . config_path() . "\nOroDeadLetterMaxAge 7\nOroJobStaleTimeout 60\n";
close $fh;
my $base = 9_000_000_000 + ($$ % 100000) * 10;
for my $i (0 .. 3) {
    my $days = (8, 6, 30, 1)[$i];
    sql("INSERT INTO oro_message_dead (id, queue, topic, body, priority, attempts, last_error, created_at, failed_at) "
        . "VALUES (" . ($base + $i) . ", 'oro.default', 'oro.test', '{\"m\":\"$tag\"}', 2, 5, 'test', "
        . ago($days, 'day') . ', ' . ago($days, 'day') . ')');
}
($rc, $out, $err) = run_cmd(out_dir() . '/oroctl', '--config', "$tmp/cron.conf", 'cron', '--force', 'dead-letters');
is($rc, 0, 'cron --force dead-letters exits 0') or diag $err;
like($err, qr/deleted \d+ dead letter\(s\) older than 7 days/, 'and says so');
my @dead = sql("SELECT id FROM oro_message_dead WHERE id >= $base AND id < " . ($base + 10) . ' ORDER BY id');
is_deeply(\@dead, [$base + 1, $base + 3], 'exactly the dead letters older than 7 days are gone');
sql("DELETE FROM oro_message_dead WHERE id >= $base AND id < " . ($base + 10));

# --- expired sessions and tokens; a missing table is a warning, the rest still runs
for my $t (['sessions', 'oro_session'], ['oauth-tokens', 'oro_oauth_token']) {
    my ($task, $table) = @$t;
    if (table_exists($table)) {
        ($rc, $out, $err) = oroctl('cron', '--force', $task);
        is($rc, 0, "$task exits 0 with its table") or diag $err;
        like($err, qr/cron task $task: deleted \d+ expired/, "$task deletes the expired rows");
        next;
    }
    ($rc, $out, $err) = oroctl('cron', '--force', $task);
    is($rc, 0, "$task without table $table exits 0");
    like($err, qr/warn: cron task $task skipped: table $table does not exist/, 'with a clear warning');
    # a minimal table of the agreed shape, for this test only
    sql("CREATE TABLE $table (id integer PRIMARY KEY, expires_at " . ($my ? 'datetime(6)' : 'timestamptz') . ' NOT NULL)');
    sql("INSERT INTO $table (id, expires_at) VALUES (1, " . ago(1, 'second') . '), (2, '
        . ($my ? 'UTC_TIMESTAMP(6) + INTERVAL 1 HOUR' : "now() + interval '1 hour'") . '), (3, ' . ago(3, 'day') . ')');
    ($rc, $out, $err) = oroctl('cron', '--force', $task);
    is($rc, 0, "$task exits 0") or diag $err;
    like($err, qr/deleted 2 expired/, "$task deletes the expired rows");
    is_deeply([sql("SELECT id FROM $table")], [2], 'and keeps the others');
    sql("DROP TABLE $table");
}

# --- stale-jobs marks jobs silent longer than OroJobStaleTimeout (60 s in our config)
my ($sroot, $srun) = `$ENV{ORO_OUT}/t/jobtool $tmp/cron.conf run-root - stale-$tag 1` =~ /started (\d+) (\d+)/;
ok($sroot, 'a job to go stale');
sql("UPDATE oro_job SET last_active_at = " . ago(120, 'second') . " WHERE id = $sroot");
($rc, $out, $err) = run_cmd(out_dir() . '/oroctl', '--config', "$tmp/cron.conf", 'cron', '--force', 'stale-jobs');
is($rc, 0, 'cron --force stale-jobs exits 0') or diag $err;
like($err, qr/marked [1-9]\d* job\(s\) stale/, 'and says so');
is_deeply([sql("SELECT status FROM oro_job WHERE id IN ($sroot, $srun) ORDER BY id")], ['stale', 'stale'],
          'the silent root and its child are stale');
my ($freed) = sql("SELECT COUNT(*) FROM oro_job WHERE unique_name = 'stale-$tag'");
is($freed, 0, 'and its unique name is free');

# --- no live consumer: an alert (error line, exit 1, status "alert" in --list)
my $cpid = consumer_pid();
my @stopped = ($cpid, worker_pids($cpid));
kill 'STOP', @stopped;
sql('UPDATE oro_consumer_heartbeat SET last_seen_at = ' . ago(1, 'day'));
($rc, $out, $err) = oroctl('cron', '--force', 'consumers');
kill 'CONT', @stopped;
is($rc, 1, 'cron exits 1 when no consumer is alive');
like($err, qr/error: cron task consumers: ALERT: no message queue consumer is alive/, 'with an error line');
($rc, $out) = oroctl('cron', '--list');
like($out, qr/^consumers\s+60s\s+\S+\s+alert\s+/m, '--list shows the alert');
ok(wait_until(30, sub {
    my $d = json_of(http(GET => '/api/system/status'));
    $d && ($d->{consumers}{alive} || 0) > 0;
}), 'the consumers are alive again');
($rc, $out, $err) = oroctl('cron', '--force', 'consumers');
is($rc, 0, 'and the check passes') or diag $err;

done_testing();
