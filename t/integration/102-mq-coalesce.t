# NOTIFY coalescing on PostgreSQL (lib/mq/transport.h): producers notify only when a
# worker waits in oro_message_waiting. Idle workers register; a message sent while
# a worker waits is processed; a message sent with no NOTIFY at all (its producer saw
# no waiting worker) is still processed; many producers in single-message
# transactions, most of them without a NOTIFY, lose nothing. On amqp the relay is the
# one that waits (queue 'outbox'). MariaDB has no NOTIFY: skipped there.
use strict;
use warnings;
use Test::More;
use OroTest;
use OroMq;

plan skip_all => 'NOTIFY is PostgreSQL only' if ($ENV{DB} || 'pgsql') ne 'pgsql';
ensure_stack();

my $amqp = transport() eq 'amqp';
my $waits_for = $amqp ? 'outbox' : 'oro.default';
my $producer = out_dir() . '/bench/mq_producer';
ok(-x $producer, "the producer $producer is built (make unit-bins)") or BAIL_OUT('no producer');

stack_consumer_stop();
sql('DELETE FROM oro_message_dead');
sql('DELETE FROM oro_message_waiting');
my $sup = own_consumer_start({OroConsumerWorkers => 2});
ok($sup, 'a private consumer runs');

# (sent, not needed) NOTIFY counts that the producer's processes printed
sub produce {
    my (@args) = @_;
    my ($rc, $out, $err) = run_cmd($producer, '-c', config_path(), @args);
    is($rc, 0, "mq_producer @args") or diag $err;
    my ($sent, $skipped) = (0, 0);
    while ($err =~ /(\d+) NOTIFY sent, (\d+) not needed/g) { $sent += $1; $skipped += $2 }
    return ($sent, $skipped);
}

ok(wait_until(20, sub { sql_count("SELECT COUNT(*) FROM oro_message_waiting WHERE queue = '$waits_for'") > 0 }),
   "an idle worker registers as waiting for a NOTIFY ($waits_for)");

# --- a message while a worker waits: it is notified and processed
my ($sent, $skipped) = produce('-p', 1, '-n', 1, '-t', 'oro.test', '-b', '{"record":true,"tag":"woken"}');
is($sent, 1, 'a message sent while a worker waits carries a NOTIFY');
ok(wait_until(20, sub { processed_tags()->{woken} }), 'and is processed');

# --- a message with no NOTIFY: the waiting rows are gone (as if the producer had
# read the table before a worker registered), so nothing wakes the worker but its
# own look at the queue
ok(wait_until(20, sub { sql_count("SELECT COUNT(*) FROM oro_message_waiting WHERE queue = '$waits_for'") > 0 }),
   'the worker waits again after its work');
sql('DELETE FROM oro_message_waiting');
($sent, $skipped) = produce('-p', 1, '-n', 1, '-t', 'oro.test', '-b', '{"record":true,"tag":"unnotified"}');
is($sent, 0, 'a message sent while no worker is registered carries no NOTIFY');
is($skipped, 1, 'and the producer counts it as not needed');
ok(wait_until(30, sub { processed_tags()->{unnotified} }), 'it is processed all the same');

# --- several producers, single-message transactions: most send no NOTIFY, none is lost
my ($procs, $each) = (4, 250);
($sent, $skipped) = produce('-p', $procs, '-n', $each, '-t', 'oro.test', '-b', '{"record":true,"tag":"burst"}');
is($sent + $skipped, $procs * $each, "$procs producers sent " . $procs * $each . ' messages');
cmp_ok($skipped, '>', 0, "sends without a NOTIFY while the workers were busy or polling ($sent with, $skipped without)");
ok(wait_until(60, sub { (processed_tags()->{burst} // 0) >= $procs * $each }),
   'every message is processed') or diag(processed_tags()->{burst});
my $ids = processed_ids();
is(scalar(grep { $_ > 1 } values %$ids), 0, 'none twice');
is(sql_count('SELECT COUNT(*) FROM oro_message_queue') + sql_count('SELECT COUNT(*) FROM oro_message_outbox'), 0,
   'the queue is empty');
is(scalar(dead_rows()), 0, 'nothing is dead-lettered');

# --- a clean stop removes the workers' rows
own_consumer_stop();
is(sql_count('SELECT COUNT(*) FROM oro_message_waiting'), 0, 'stopped workers leave no waiting row');
stack_consumer_start();

done_testing();
