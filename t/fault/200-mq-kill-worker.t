# Fault: a worker killed with SIGKILL in the middle of a message. Its supervisor
# starts a replacement, the message is delivered again and processed; nothing is
# lost. Then 100,000 messages with workers killed at random: every message ends
# processed or dead-lettered, each id accounted for.
use strict;
use warnings;
use Test::More;
use OroTest;
use OroMq;

ensure_stack();

my $amqp = transport() eq 'amqp';
my $table = $amqp ? 'oro_message_outbox' : 'oro_message_queue';
stack_consumer_stop();
sql('DELETE FROM oro_message_dead');
my $sup = own_consumer_start({OroConsumerWorkers => 2, OroQueueMaxAttempts => 5});
ok($sup, 'a private consumer runs');

# --- one message, its worker killed while the processor runs
my ($rc, $out, $err) = oroctl('mq:send', 'oro.test', '{"sleepMs":2000,"record":true,"tag":"victim"}');
is($rc, 0, 'a slow message is sent') or diag $err;
my $pid = wait_until(20, sub { own_log() =~ /\[(\d+)\] info: oro\.test started message \d+ tag victim/ ? $1 : 0 });
ok($pid, "worker $pid started it");
ok(kill('KILL', $pid), 'and is killed with SIGKILL');
my $again = wait_until(30, sub { processed_tags()->{victim} });
ok($again, 'the message is processed all the same');
my ($by) = own_log() =~ /\[(\d+)\] info: oro\.test processed message \d+ tag victim/;
isnt($by, $pid, "by another worker ($by)");
is(sql_count('SELECT COUNT(*) FROM oro_message_dead'), 0, 'nothing was dead-lettered');

# --- 100,000 messages, workers killed at random
my $n = 100_000;
own_consumer_stop();
sql("DELETE FROM $table");
($rc, $out, $err) = oroctl('mq:send', 'oro.test', '{"record":true,"tag":"bulk"}', '--count', $n);
is($rc, 0, "$n messages are sent in one statement") or BAIL_OUT("mq:send --count failed: $err");
my ($first, $last) = split /\t/, (sql("SELECT MIN(id), MAX(id) FROM $table"))[0];
is($last - $first + 1, $n, 'with consecutive ids');
$sup = own_consumer_start({OroConsumerWorkers => 2, OroQueueMaxAttempts => 5, OroQueueBatchSize => 200});
my $kills = 0;
my $deadline = time + 120;
my $done = sub {
    return 0 if sql_count("SELECT COUNT(*) FROM $table") > 0;
    return 0 if $amqp && (mq_stats() // {})->{consumersAlive} && 0;
    my $ids = processed_ids();
    my $dead = sql_count("SELECT COUNT(*) FROM oro_message_dead WHERE id BETWEEN $first AND $last");
    return scalar(grep { $_ >= $first && $_ <= $last } keys %$ids) + $dead >= $n;
};
while (time < $deadline && !$done->()) {
    my %default = own_log() =~ /started \(pid (\d+), role (default)\)/g;
    my @alive = grep { kill 0, $_ } keys %default;
    if (@alive && $kills < 6) {
        kill 'KILL', $alive[int rand @alive];
        $kills++;
    }
    # NB: short pauses, so that a fast queue still sees several kills before it drains
    sleep($kills < 3 ? 0.5 : 2.5);
}
ok($kills >= 2, "$kills workers were killed along the way");
my $ids = processed_ids();
my %dead = map { $_ => 1 } sql("SELECT id FROM oro_message_dead WHERE id BETWEEN $first AND $last");
my @missing = grep { !$ids->{$_} && !$dead{$_} } $first .. $last;
is(scalar @missing, 0, 'every message was processed or dead-lettered') or diag "missing: @missing[0 .. ($#missing < 9 ? $#missing : 9)]";
my $processed = grep { $_ >= $first && $_ <= $last } keys %$ids;
my $twice = grep { $ids->{$_} > 1 } keys %$ids;
note("$processed processed ($twice of them more than once, delivered again after a kill), " . scalar(keys %dead) . ' dead-lettered');
is($processed + scalar(grep { !$ids->{$_} } keys %dead), $n, 'and the counts add up to the messages sent');
is(sql_count("SELECT COUNT(*) FROM $table"), 0, 'the queue is empty');
for my $d (dead_rows()) {
    like($d->[3], qr/without an answer|failed \d+ times/, "dead letter $d->[0] says why") if $dead{$d->[0]};
}

own_consumer_stop();
ok(stack_consumer_start(), 'the stack consumer runs again');
done_testing();
