# The job runner (lib/mq/jobs.h) driven through its C API as processors use it
# (out/t/jobtool): unique jobs, stale replacement, delayed children, progress
# aggregation, statuses, interruption, redelivery, concurrent finishes.
use strict;
use warnings;
use Test::More;
use OroTest;

my $db = $ENV{DB} || 'pgsql';
my $jobtool = out_dir() . '/t/jobtool';
my $config = config_path();
my $tag = "t$$";

sub jt {
    my ($rc, $out, $err) = run_cmd($jobtool, $config, @_);
    $out =~ s/\s+$//;
    return wantarray ? ($out, $rc, $err) : $out;
}
sub job { my ($id) = @_; my ($row) = sql("SELECT status, progress, interrupted FROM oro_job WHERE id = $id"); return split /\t/, $row }
sub status { (job($_[0]))[0] }
# Dependent messages go to topic oro.test asking to be rejected: whatever the transport,
# the consumer then puts them in the dead-letter table, where they can be counted.
sub dependent_body { my ($marker) = @_; return qq({"fail":"reject","marker":"$marker"}) }
sub dead_count {
    my ($marker) = @_;
    my ($n) = sql("SELECT COUNT(*) FROM oro_message_dead WHERE topic = 'oro.test' AND body LIKE '%$marker%'");
    return $n;
}
sub progress { sprintf '%.2f', (job($_[0]))[1] }
sub backdate {
    my ($id, $seconds) = @_;
    sql($db eq 'mysql'
        ? "UPDATE oro_job SET last_active_at = last_active_at - INTERVAL $seconds SECOND WHERE id = $id"
        : "UPDATE oro_job SET last_active_at = last_active_at - interval '$seconds seconds' WHERE id = $id");
}

# --- unique jobs: a second run with the same name is refused while one is active
my ($started) = jt('run-root', "msg-a-$tag", "unique-$tag", 1);
like($started, qr/^started (\d+) (\d+)$/, 'a unique root job starts with its run child');
my ($root, $run) = $started =~ /(\d+) (\d+)/;
is(status($root), 'running', 'the root is running');
is(status($run), 'running', 'its run child is running');
is(jt('run-root', "msg-b-$tag", "unique-$tag", 1), 'duplicate', 'a second run of the same name is refused');
like(jt('run-root', "msg-c-$tag", "unique-$tag", 0), qr/^started/, 'a non-unique run of that name is not');
is(jt('run-root', "msg-a-$tag", "unique-$tag", 1), "started $root $run",
   'the redelivered message of the running job resumes it (same owner)');

# --- delayed children, progress aggregation, dependent message stored
is(jt('dependent', $root, 'oro.test', dependent_body("dep-1-$tag")), 'ok', 'a dependent message is stored with the root');
my $c1 = jt('child', $root, "part-1-$tag");
my $c2 = jt('child', $root, "part-2-$tag");
like($c1, qr/^\d+$/, 'a delayed child is created');
is(status($c1), 'new', 'as new');
is(jt('finish', $run, 'success'), 'ok', 'the run child ends');
is(status($root), 'running', 'the root waits for its delayed children');
is(progress($root), '0.33', 'root progress: one of three children ended');
is(jt('start', $c1), 'started', 'a delayed child starts');
is(jt('progress', $c1, '0.5'), 'ok', 'and reports progress');
is(progress($c1), '0.50', 'the child has its progress');
is(progress($root), '0.50', 'the root has the mean of its children (1 + 0.5 + 0) / 3');
is(jt('progress', $c1, '7'), 'ok', 'progress above 1');
is(progress($c1), '1.00', 'is clamped to 1');
is(jt('start', $c1), 'started', 'a redelivered start of a running child restarts it');
is(jt('finish', $c1, 'success'), 'ok', 'the child succeeds');
is(jt('finish', $c1, 'failed'), 'ended', 'finishing it again changes nothing');
is(status($c1), 'success', 'it stays successful');
is(jt('start', $c1), 'ended', 'a redelivered message of an ended child is told so');
is(jt('start', $c2), 'started', 'the last child starts');
is(jt('finish', $c2, 'failed_redelivered'), 'ok', 'fails for a retry');
is(status($root), 'running', 'a child waiting for redelivery keeps the root running');
is(jt('start', $c2), 'started', 'the redelivered message starts it again');
is(jt('finish', $c2, 'failed'), 'ok', 'and it fails for good');
is(status($root), 'failed', 'the root ends failed when a child failed');
is(progress($root), '1.00', 'with progress 1');
is(wait_until(30, sub { dead_count("dep-1-$tag") }), 1,
   'the dependent message was sent when the root ended (and reached the consumer)');
is(jt('dependent', $root, 'oro.test', '{}'), 'ended', 'an ended root takes no new dependent message');
my ($unique) = sql("SELECT COUNT(*) FROM oro_job WHERE unique_name = 'unique-$tag'");
is($unique, 0, 'the ended root frees its unique name');
like(jt('run-root', "msg-d-$tag", "unique-$tag", 1), qr/^started/, 'so a new run of the name starts');
is(jt('child', $root, 'late'), 'cancelled', 'an ended root takes no new child');

# --- bad calls are errors, not corruption
my ($out, $rc, $err) = jt('finish', $root, 'success');
is($rc, 1, 'finishing a root job directly is refused');
like($err, qr/is a root job/, 'with the reason');
($out, $rc, $err) = jt('run-root', '-', 'x' x 300, 1);
is($rc, 1, 'a name over 255 bytes is refused');
like($err, qr/longer than 255 bytes/, 'with the reason');
is(jt('start', 999999999), 'not-found', 'an unknown job id is not found');
my $n1 = jt('child', jt('run-root', '-', "plain-$tag", 0) =~ /^started (\d+)/, "c-$tag");
($out, $rc, $err) = jt('finish', $n1, 'success');
is($rc, 1, 'a child that never started cannot succeed');
like($err, qr/cannot go from new to success/, 'the transition is named');

# --- stale: a unique job silent for longer than OroJobStaleTimeout is replaced
($started) = jt('run-root', "msg-s1-$tag", "stale-$tag", 1);
my ($stale_root, $stale_run) = $started =~ /(\d+) (\d+)/;
my $stale_child = jt('child', $stale_root, "stale-part-$tag");
is(jt('run-root', "msg-s2-$tag", "stale-$tag", 1), 'duplicate', 'an active unique job is not replaced');
backdate($stale_root, 7200);
my ($replaced) = jt('run-root', "msg-s3-$tag", "stale-$tag", 1);
like($replaced, qr/^started (\d+)/, 'a silent one is replaced by the new run');
isnt(($replaced =~ /^started (\d+)/)[0], $stale_root, 'by a new root');
is(status($stale_root), 'stale', 'the silent root is marked stale');
is(status($stale_run), 'stale', 'its running child too');
is(status($stale_child), 'stale', 'and its child not started');
is(jt('start', $stale_child), 'ended', 'which will not run');
is(jt('interrupted', $stale_run), '1', 'a processor of the stale job sees it interrupted');

# --- interruption: children not started are cancelled, running ones finish
($started) = jt('run-root', '-', "cancel-$tag", 1);
my ($croot, $crun) = $started =~ /(\d+) (\d+)/;
my @kids = map { scalar jt('child', $croot, "kid-$_-$tag") } 1 .. 3;
is(jt('start', $kids[0]), 'started', 'one child runs');
is(jt('interrupted', $kids[0]), '0', 'not interrupted yet');
($rc, $out, $err) = oroctl('jobs:cancel', $croot);
is($rc, 0, 'jobs:cancel exits 0') or diag $err;
like($out, qr/root job $croot interrupted/, 'and says so');
is(jt('interrupted', $kids[0]), '1', 'the running child sees the interruption');
is(status($kids[1]), 'cancelled', 'a child not started is cancelled at once');
is(status($kids[2]), 'cancelled', 'each of them');
is(jt('start', $kids[1]), 'ended', 'and does not start when its message comes');
is(jt('child', $croot, 'more'), 'cancelled', 'an interrupted root takes no new child');
is(status($croot), 'running', 'the root waits for its running children');
is(jt('finish', $kids[0], 'success'), 'ok', 'the running child finishes');
is(jt('finish', $crun, 'success'), 'ok', 'the run child finishes');
is(status($croot), 'cancelled', 'the root ends cancelled');
($rc, $out, $err) = oroctl('jobs:cancel', $croot);
is($rc, 1, 'cancelling an ended job exits 1');
like($err, qr/has already ended \(cancelled\)/, 'and says how it ended');

# --- concurrent finishes of the last children: the root ends exactly once
($started) = jt('run-root', '-', "race-$tag", 0);
my ($rroot, $rrun) = $started =~ /(\d+) (\d+)/;
my @race = map { scalar jt('child', $rroot, "race-$_-$tag") } 1 .. 8;
jt('start', $_) for @race;
jt('dependent', $rroot, 'oro.test', dependent_body("dep-race-$tag"));
jt('finish', $rrun, 'success');
my @pids;
for my $id (@race) {
    my $pid = fork // die;
    if ($pid == 0) {
        open STDOUT, '>', '/dev/null' or die; # "ok" would be read as TAP
        exec $jobtool, $config, 'finish', $id, 'success';
        exit 127;
    }
    push @pids, $pid;
}
my $failures = 0;
for (@pids) { waitpid $_, 0; $failures++ if $? != 0 }
is($failures, 0, 'eight children finished by eight processes at once');
is(status($rroot), 'success', 'the root ended successful');
is(progress($rroot), '1.00', 'with progress 1');
if (($ENV{MQ} || 'dbal') eq 'dbal') {
    # every finishing transaction has committed: the queue and dead-letter tables hold
    # every copy ever sent (one statement, one snapshot)
    my ($copies) = sql("SELECT (SELECT COUNT(*) FROM oro_message_queue WHERE body LIKE '%dep-race-$tag%')"
                       . " + (SELECT COUNT(*) FROM oro_message_dead WHERE body LIKE '%dep-race-$tag%')");
    is($copies, 1, 'its dependent message was sent exactly once');
}
ok(wait_until(30, sub { dead_count("dep-race-$tag") }), 'its dependent message reached the consumer');

done_testing();
