# Fault: the database killed for 10 s under load (and, on the amqp leg, RabbitMQ
# stopped for 10 s): workers and the relay reconnect by themselves, and every
# message is processed or dead-lettered; none is lost.
use strict;
use warnings;
use Test::More;
use OroTest;
use OroMq;

ensure_stack();

my $amqp = transport() eq 'amqp';
my $table = $amqp ? 'oro_message_outbox' : 'oro_message_queue';
my $stack = root_dir() . '/build/stack';
stack_consumer_stop();
sql("DELETE FROM $table");
sql('DELETE FROM oro_message_dead');

# every id of [$first, $last] processed or dead
sub accounted {
    my ($first, $last) = @_;
    my $ids = processed_ids();
    my %dead = map { $_ => 1 } sql("SELECT id FROM oro_message_dead WHERE id BETWEEN $first AND $last");
    return scalar grep { !$ids->{$_} && !$dead{$_} } $first .. $last;
}

sub outage {
    my ($what, $stop, $start, $tag) = @_;
    my $n = 4000;
    my ($rc, $out, $err) = oroctl('mq:send', 'oro.test', qq({"record":true,"sleepMs":5,"tag":"$tag"}), '--count', $n);
    is($rc, 0, "$n slow messages are sent") or diag $err;
    my ($first, $last);
    if ($amqp && ($ENV{DB} // 'pgsql') ne 'mysql') {
        # NB: the relay may have published them all by now (several per AMQP message):
        # the ids from the outbox's sequence (one statement, consecutive ids)
        ($last) = sql('SELECT last_value FROM oro_message_outbox_id_seq');
        $first = $last - $n + 1;
    } else {
        ($first, $last) = split /\t/, (sql("SELECT MIN(id), MAX(id) FROM $table"))[0];
    }
    ok(wait_until(20, sub { processed_tags()->{$tag} }), 'processing has begun');
    ($rc, $out, $err) = run_cmd($stack, $stop);
    is($rc, 0, "$what is down ($stop)") or diag $err;
    sleep 10;
    ($rc, $out, $err) = run_cmd($stack, $start);
    is($rc, 0, "$what is back ($start)") or diag $err;
    my $left = wait_until(120, sub { accounted($first, $last) == 0 }) ? 0 : accounted($first, $last);
    is($left, 0, "after the outage of $what every message was processed or dead-lettered");
    is(sql_count("SELECT COUNT(*) FROM $table"), 0, 'the queue is empty');
    like(own_log(), qr/reconnected to (the database|RabbitMQ) after \d+ s/, 'the workers said they reconnected');
}

own_consumer_start({OroConsumerWorkers => 2, OroQueueBatchSize => 100});
outage('the database', 'db-kill', 'db-start', 'dbdown');
outage('RabbitMQ', 'mq-stop', 'mq-start', 'mqdown') if $amqp;
own_consumer_stop();
ok(stack_consumer_start(), 'the stack consumer runs again');
done_testing();
