# amqp batch envelopes (OroAmqpBatchSize; lib/mq/batch.h), on the amqp leg: one relay
# batch of messages with every outcome inside one envelope (processed, retried then
# dead-lettered, rejected, unknown topic, malformed body), each handled on its own;
# envelopes bounded by bytes and split by priority and delay;
# hostile envelopes straight from the broker (truncated, an oversized count, not an
# envelope, a NUL byte, an expired message) dead-lettered with the reason and the
# good messages around them processed; a plain message as a relay before envelopes
# published it; a worker killed in the middle of an envelope (every message of it
# processed all the same); SIGTERM in the middle of one (the rest handed back);
# OroAmqpBatchSize 1 (no envelopes).
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use OroTest;
use OroMq;

plan skip_all => 'amqp batch envelopes: the amqp leg only' unless transport() eq 'amqp';
ensure_stack();

my ($url) = OroTest::slurp(config_path()) =~ /^OroAmqpUrl\s+(\S+)/m;
ok($url, 'the stack has a RabbitMQ URL');
my $tool = out_dir() . '/t/amqptool';
ok(-x $tool, 'out/t/amqptool is built (make unit-bins)') or BAIL_OUT('no amqptool');
my $tmp = tempdir(CLEANUP => 1);

stack_consumer_stop();
sql('DELETE FROM oro_message_dead');
sql('DELETE FROM oro_message_outbox');
my $sup = own_consumer_start({OroConsumerWorkers => 1, OroQueueMaxAttempts => 3}, '--log-level', 'debug');
ok($sup, 'a private consumer runs (one default worker, envelopes of up to 100)');

sub dead_by_id { my %d = map { $_->[0] => $_ } dead_rows(); return \%d }
sub dead_with { my ($re) = @_; return grep { $_->[3] =~ $re } dead_rows() }

# rows inserted into the outbox in one statement (one commit: the relay reads them in
# one batch); returns their ids in order
sub outbox_rows {
    my $values = join ', ', map { "('oro.default', '$_->[0]', '$_->[1]', 2, 0, 0, now())" } @_;
    return sql("INSERT INTO oro_message_outbox (queue, topic, body, priority, delay_ms, expire_ms, created_at) VALUES $values RETURNING id");
}

# --- one envelope, every outcome
my @ids = outbox_rows(
    ['oro.test', '{"record":true,"tag":"mix-ok1"}'],
    ['oro.test', '{"record":true,"fail":"requeue","tag":"mix-retry"}'],
    ['oro.test', '{"fail":"reject","tag":"mix-rej"}'],
    ['oro.nothing.handles.this', '{"tag":"mix-unknown"}'],
    ['oro.test', '{"tag": '],
    ['oro.test', '{"record":true,"tag":"mix-ok2"}'],
);
is(scalar @ids, 6, 'six messages are in the outbox');
ok(wait_until(30, sub { my $d = dead_by_id(); 4 == grep { $d->{$_} } @ids }), 'four of them end dead-lettered')
    or diag explain [dead_rows()];
ok(wait_until(10, sub { own_log() =~ /published 6 outbox rows in 1 AMQP messages/ }), 'the relay published the six in one envelope');
my $dead = dead_by_id();
my $tags = processed_tags();
is($tags->{'mix-ok1'}, 1, 'the first good message is processed, once');
is($tags->{'mix-ok2'}, 1, 'the last good message is processed, once');
ok(!$dead->{$ids[0]} && !$dead->{$ids[5]}, 'and neither is dead-lettered');
is($tags->{'mix-retry'}, 3, 'the failing message is retried on its own until OroQueueMaxAttempts');
like($dead->{$ids[1]}[3] // '', qr/failed 3 times, the maximum/, 'then dead-lettered with the reason');
is($dead->{$ids[1]}[2], 3, 'and its attempts');
like($dead->{$ids[2]}[3] // '', qr/rejected on request/, 'the rejected message is dead-lettered with its reason');
like($dead->{$ids[3]}[3] // '', qr/unknown topic "oro\.nothing\.handles\.this"/, 'the unknown topic too');
is($dead->{$ids[3]}[1], 'oro.nothing.handles.this', 'with its own topic');
like($dead->{$ids[4]}[3] // '', qr/malformed body: the body is not valid JSON/, 'the malformed body too');
is($dead->{$ids[4]}[4], '{"tag": ', 'with its body as it was');

# --- a lone message goes alone
my ($rc, $out, $err) = oroctl('mq:send', 'oro.test', '{"record":true,"tag":"lone"}');
is($rc, 0, 'a lone message is sent') or diag $err;
ok(wait_until(20, sub { processed_tags()->{lone} }), 'and processed');
# NB: the relay logs after the confirms, which may come after the processing
ok(wait_until(10, sub { own_log() =~ /published 1 outbox rows in 1 AMQP messages/ }), 'it went as one plain AMQP message');

# --- what shares an envelope: the same priority and delay, at most 1 MiB of records
sql(q|INSERT INTO oro_message_outbox (queue, topic, body, priority, delay_ms, expire_ms, created_at) VALUES |
    . join(', ', map { "('oro.default', 'oro.test', '{\"record\":true,\"tag\":\"big-$_\",\"pad\":\"' || repeat('x', 400000) || '\"}', 2, 0, 0, now())" } 1 .. 3));
ok(wait_until(20, sub { my $t = processed_tags(); 3 == grep { $t->{"big-$_"} } 1 .. 3 }), 'three messages of 400 kB are processed');
ok(wait_until(10, sub { own_log() =~ /published 3 outbox rows in 2 AMQP messages/ }), 'in two AMQP messages (an envelope holds 1 MiB at most)');
sql(q|INSERT INTO oro_message_outbox (queue, topic, body, priority, delay_ms, expire_ms, created_at) VALUES |
    . join(', ', map { "('oro.default', 'oro.test', '{\"record\":true,\"tag\":\"mixed-$_->[0]\"}', $_->[1], $_->[2], 0, now())" }
           ['p2a', 2, 0], ['p4a', 4, 0], ['p2b', 2, 0], ['p4b', 4, 0], ['d1', 2, 700], ['d2', 2, 700]));
ok(wait_until(20, sub { my $t = processed_tags(); 6 == grep { $t->{"mixed-$_"} } qw(p2a p4a p2b p4b d1 d2) }),
   'messages of two priorities and a delay are processed');
ok(wait_until(10, sub { own_log() =~ /published 6 outbox rows in 3 AMQP messages/ }), 'in one envelope per priority and delay');
my $log = own_log();
my %line;
$line{$1} //= $-[0] while $log =~ /processed message \d+ tag mixed-(\w+)/g;
ok($line{d1} > $line{p2a} && $line{d1} > $line{p4b}, 'the delayed ones after the others');

# --- hostile envelopes straight from the broker
sub record {
    my ($id, $topic, $expires, $body) = @_;
    use bytes;
    return sprintf("%s %s %s %d\n", $id, $topic, $expires, length $body) . $body . "\n";
}
my $n = 0;
sub publish {
    my ($bytes, @opt) = @_;
    my $file = "$tmp/msg" . $n++;
    open my $fh, '>:raw', $file or die "$file: $!";
    print $fh $bytes;
    close $fh;
    my ($prc, $pout, $perr) = run_cmd($tool, $url, 'oro.default', $file, @opt);
    return $prc == 0 ? 1 : (diag($perr), 0);
}
my $ok1 = record(9100001, 'oro.test', 0, '{"record":true,"tag":"h-ok1"}');
my $cut = record(9100002, 'oro.test', 0, '{"record":true,"tag":"h-cut"}');
my $part = substr($cut, 0, 40); # the header line and part of the body
ok(publish("oro-batch/1 3\n" . $ok1 . $part, '--batch', '--type', 'oro.batch'),
   'a truncated envelope is published');
ok(wait_until(20, sub { dead_with(qr/malformed batch envelope: it ends inside a message's body \(message 2 of 3/) }),
   'what follows the fault is dead-lettered with the reason');
ok(wait_until(10, sub { processed_tags()->{'h-ok1'} }), 'the message before it is processed');
my ($trunc) = dead_with(qr/ends inside a message's body/);
is($trunc && $trunc->[1], 'oro.batch', 'the dead letter says it was an envelope');
(my $printable = $part) =~ s/\n/\\x0a/g;
is($trunc && $trunc->[4], $printable, 'and keeps the bytes as printable text');

ok(publish("oro-batch/1 99999\n" . record(9100003, 'oro.test', 0, '{"record":true,"tag":"h-count"}'), '--batch'),
   'an envelope declaring 99,999 messages is published');
ok(wait_until(20, sub { dead_with(qr/malformed batch envelope: it declares 99999 messages/) }), 'it is dead-lettered');
ok(!processed_tags()->{'h-count'}, 'and nothing of it is processed');

ok(publish('{"record":true,"tag":"h-json"}', '--batch'), 'JSON marked as an envelope is published');
ok(wait_until(20, sub { dead_with(qr/malformed batch envelope: it does not start with "oro-batch\/1 "/) }),
   'it is dead-lettered with the reason');

ok(publish("oro-batch/1 3\n" . record(9100011, 'oro.test', 0, "{\"a\":\0}")
           . record(9100012, 'oro.test', 1000, '{"record":true,"tag":"h-expired"}')
           . record(9100013, 'oro.test', 0, '{"record":true,"tag":"h-ok2"}'), '--batch'),
   'an envelope with a NUL byte in a body and an expired message is published');
ok(wait_until(20, sub { processed_tags()->{'h-ok2'} }), 'its good message is processed');
ok(wait_until(10, sub { my $d = dead_by_id(); $d->{9100011} && $d->{9100012} }), 'the other two are dead-lettered')
    or diag explain [dead_rows()];
$dead = dead_by_id();
like($dead->{9100011}[3] // '', qr/malformed body: it contains a NUL byte/, 'the NUL byte with its reason');
like($dead->{9100012}[3] // '', qr/expired before it was processed/, 'the expired message with its reason');
ok(!processed_tags()->{'h-expired'}, 'which was not processed');

# --- a plain message, as a relay before envelopes published it
ok(publish('{"record":true,"tag":"old-single"}', '--type', 'oro.test', '--id', '9100021'),
   'a plain application/json message is published');
ok(wait_until(20, sub { own_log() =~ /oro\.test processed message 9100021 tag old-single/ }), 'it is processed');

# --- a worker killed in the middle of an envelope
@ids = outbox_rows(
    ['oro.test', '{"sleepMs":2000,"record":true,"tag":"kill-slow"}'],
    ['oro.test', '{"record":true,"tag":"kill-a"}'],
    ['oro.test', '{"record":true,"tag":"kill-b"}'],
);
my $pid = wait_until(20, sub { own_log() =~ /\[(\d+)\] info: oro\.test started message \d+ tag kill-slow/ ? $1 : 0 });
ok($pid, "worker $pid works on the envelope's first message");
ok(kill('KILL', $pid), 'and is killed with SIGKILL');
ok(wait_until(30, sub { my $t = processed_tags(); $t->{'kill-slow'} && $t->{'kill-a'} && $t->{'kill-b'} }),
   'every message of the envelope is processed all the same');
$tags = processed_tags();
is($tags->{'kill-a'}, 1, 'a message not reached before the kill is processed once');
$dead = dead_by_id();
ok(!(grep { $dead->{$_} } @ids), 'none is dead-lettered');

# --- SIGTERM in the middle of an envelope: the message in hand is finished, the rest
# go back to the queue on their own (their attempt given back) and the envelope is acked
@ids = outbox_rows(
    ['oro.test', '{"sleepMs":1500,"record":true,"tag":"drain-slow"}'],
    ['oro.test', '{"record":true,"tag":"drain-a"}'],
    ['oro.test', '{"record":true,"tag":"drain-b"}'],
);
ok(wait_until(20, sub { own_log() =~ /oro\.test started message \d+ tag drain-slow/ }), 'a worker works on an envelope');
own_consumer_stop();
$tags = processed_tags();
is($tags->{'drain-slow'}, 1, 'SIGTERM: the message in hand is finished');
ok(!$tags->{'drain-a'} && !$tags->{'drain-b'}, 'and the rest left for later');
$sup = own_consumer_start({OroConsumerWorkers => 1, OroQueueMaxAttempts => 3}, '--log-level', 'debug');
ok(wait_until(20, sub { my $t = processed_tags(); $t->{'drain-a'} && $t->{'drain-b'} }), 'the next consumer processes them');
$tags = processed_tags();
is($tags->{'drain-slow'}, 1, 'the finished one is not processed again');
is($tags->{'drain-a'}, 1, 'the others once each');

# --- OroAmqpBatchSize 1: no envelopes
own_consumer_stop();
$sup = own_consumer_start({OroConsumerWorkers => 1, OroAmqpBatchSize => 1}, '--log-level', 'debug');
ok($sup, 'a consumer with OroAmqpBatchSize 1 runs');
outbox_rows(map { ['oro.test', qq({"record":true,"tag":"one-by-one-$_"})] } 1 .. 3);
ok(wait_until(20, sub { my $t = processed_tags(); 3 == grep { $t->{"one-by-one-$_"} } 1 .. 3 }), 'three messages are processed');
ok(wait_until(10, sub { own_log() =~ /published 3 outbox rows in 3 AMQP messages/ }), 'each went as a plain AMQP message');

own_consumer_stop();
stack_consumer_start();
done_testing();
