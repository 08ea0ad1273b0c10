# The message queue end to end on this leg's transport (dbal or amqp through the
# outbox relay): oroctl mq:send and its bad input, processing, reject and retries
# ending in the dead-letter table with the reason, unknown topics, malformed bodies,
# expiry, delays, mq:stats, mq:dead list|retry|purge, --message-limit.
# A private oro-consumer with short retry delays replaces the stack's for the test.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;
use OroMq;

my $amqp = transport() eq 'amqp';

# --- bad input is refused before anything is stored
for my $bad (
    [['oro.test', '{bad'],                          qr/not valid JSON/, 'a malformed body'],
    [['oro.test', '{} []'],                         qr/not valid JSON/, 'two JSON texts'],
    [['oro.test', '{}', '--queue', 'nope'],         qr/unknown queue "nope"/, 'an unknown queue'],
    [['oro.test', '{}', '--priority', '9'],         qr/--priority/, 'priority 9'],
    [['oro.test', '{}', '--delay', '-1'],           qr/--delay/, 'a negative delay'],
    [['oro test', '{}'],                            qr/topic "oro test"/, 'a topic with a space'],
    [['oro.test'],                                  qr/needs TOPIC and BODY/, 'no body'],
    [['oro.test', '{}', '--bogus'],                 qr/unknown option "--bogus"/, 'an unknown option'],
) {
    my ($rc, $out, $err) = oroctl('mq:send', @{ $bad->[0] });
    is($rc, 2, "mq:send refuses $bad->[2] (exit 2)");
    like($err, $bad->[1], "and says why ($bad->[2])");
}

stack_consumer_stop();
sql('DELETE FROM oro_message_dead');
my $sup = own_consumer_start({OroConsumerWorkers => 2, OroQueueMaxAttempts => 3}, '--message-limit', 40);
ok($sup, 'a private consumer runs');

sub send_ok {
    my ($topic, $body, @opt) = @_;
    my ($rc, $out, $err) = oroctl('mq:send', $topic, $body, @opt);
    is($rc, 0, "mq:send $topic $body @opt") or diag $err;
}
sub dead_with { my ($re) = @_; return grep { $_->[3] =~ $re } dead_rows() }

# --- processed
send_ok('oro.test', '{"record":true,"tag":"one"}');
ok(wait_until(20, sub { processed_tags()->{one} }), 'a message is processed');
send_ok('oro.test', '{"record":true,"tag":"many"}', '--count', 100);
ok(wait_until(30, sub { (processed_tags()->{many} // 0) >= 100 }), '100 copies sent in one statement are processed')
    or diag processed_tags()->{many};
like(own_log(), qr/exits to be replaced: it handled 40 messages \(--message-limit\)/,
     '--message-limit recycles workers, and nothing is lost');
send_ok('oro.test', '{"record":true,"tag":"later"}', '--delay', 1500);
ok(wait_until(20, sub { processed_tags()->{later} }), 'a delayed message is processed');

# --- dead letters with their reasons
send_ok('oro.test', '{"fail":"reject","tag":"rej"}');
ok(wait_until(20, sub { dead_with(qr/rejected on request/) }), 'a rejected message is dead-lettered with the reason');
send_ok('oro.test', '{"fail":"requeue","tag":"retry"}');
my ($retried) = wait_until(30, sub { dead_with(qr/failed 3 times, the maximum/) });
ok($retried, 'a message that keeps failing is retried, then dead-lettered after OroQueueMaxAttempts');
is($retried && $retried->[2], 3, 'with its attempts counted');
send_ok('oro.nothing.handles.this', '{"x":1}');
ok(wait_until(20, sub { dead_with(qr/unknown topic "oro\.nothing\.handles\.this"/) }), 'an unknown topic is dead-lettered, not acked');
send_ok('oro.test', '{"record":true,"tag":"expired"}', '--delay', 300, '--expire', 1);
ok(wait_until(20, sub { dead_with(qr/expired before it was processed/) }), 'an expired message is dead-lettered');
ok(!processed_tags()->{expired}, 'and not processed');
# a malformed body can only get in behind our back: straight into the table
if ($amqp) {
    sql(q|INSERT INTO oro_message_outbox (queue, topic, body, priority, delay_ms, expire_ms, created_at) VALUES ('oro.default', 'oro.test', '{"tag": ', 2, 0, 0, | . (($ENV{DB} // '') eq 'mysql' ? 'UTC_TIMESTAMP(6)' : 'now()') . ')');
} elsif (($ENV{DB} // '') eq 'mysql') {
    sql(q|INSERT INTO oro_message_queue (queue, topic, body, priority, delayed_until, attempts, created_at) VALUES ('oro.default', 'oro.test', '{"tag": ', 2, UTC_TIMESTAMP(6), 0, UTC_TIMESTAMP(6))|);
} else {
    sql(q|INSERT INTO oro_message_queue (queue, topic, body, priority, delayed_until, attempts, created_at) VALUES ('oro.default', 'oro.test', '{"tag": ', 2, now(), 0, now()); NOTIFY oro_mq, 'oro.default'|);
}
ok(wait_until(20, sub { dead_with(qr/malformed body: the body is not valid JSON/) }), 'a malformed body is dead-lettered with the parser\'s reason');

# --- oroctl mq:stats and mq:dead
my $stats = mq_stats();
ok($stats, 'mq:stats --json');
is($stats->{transport}, transport(), 'names the transport');
is($stats->{dead}, 5, 'counts the five dead letters') or diag explain $stats;
ok($stats->{consumersAlive} >= 2, 'and the live consumers');
my ($rc, $out) = oroctl('mq:stats');
is($rc, 0, 'mq:stats');
like($out, qr/consumers alive: \d+/, 'reports live consumers as text');
($rc, $out) = oroctl('mq:dead', 'list', '--json');
is($rc, 0, 'mq:dead list');
my $list = decode_json($out);
is(scalar @$list, 5, 'lists every dead letter');
ok(!grep({ !length $_->{lastError} } @$list), 'each with its last error');
my ($unknown) = grep { $_->{topic} eq 'oro.nothing.handles.this' } @$list;
($rc, $out) = oroctl('mq:dead', 'retry', $unknown->{id});
is($rc, 0, 'mq:dead retry ID');
like($out, qr/requeued 1 dead message/, 'requeues it');
ok(wait_until(20, sub { my @d = dead_with(qr/unknown topic "oro\.nothing/); @d == 1 && $d[0][0] != $unknown->{id} }),
   'it went through the queue again (and is dead again, under a new id)');
($rc, $out, my $err) = oroctl('mq:dead', 'retry', 'abc');
is($rc, 2, 'mq:dead retry abc: exit 2');
($rc, $out, $err) = oroctl('mq:dead', 'frobnicate');
is($rc, 2, 'mq:dead with an unknown subcommand: exit 2');
($rc, $out) = oroctl('mq:dead', 'purge', '--older-than', '1');
is($rc, 0, 'mq:dead purge --older-than 1');
like($out, qr/purged 0 dead/, 'keeps recent dead letters');
($rc, $out) = oroctl('mq:dead', 'purge', '--all');
like($out, qr/purged 5 dead/, 'purge --all removes them');
is(sql_count('SELECT COUNT(*) FROM oro_message_dead'), 0, 'the table is empty');

own_consumer_stop();
ok(stack_consumer_start(), 'the stack consumer runs again');
done_testing();
