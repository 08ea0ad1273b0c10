# API writes enqueue oro.search.reindex in their own transaction: create, update,
# delete, bulk delete and relationship changes each leave one message (a queue row
# on dbal, an outbox row on amqp) naming the entity and ids; a refused write leaves
# none. The stack's consumer is paused so that the messages stay where they are.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;
use OroMq;

my $JSONAPI = 'application/vnd.api+json';
sub call {
    my ($method, $path, $body) = @_;
    my %opts = (headers => {Accept => $JSONAPI, 'Content-Type' => $JSONAPI});
    $opts{content} = ref $body ? encode_json($body) : $body if defined $body;
    my $res = http($method, $path, \%opts);
    return ($res, json_of($res));
}
my $table = transport() eq 'amqp' ? 'oro_message_outbox' : 'oro_message_queue';
sub reindex_bodies {
    return map { decode_json($_) } sql("SELECT body FROM $table WHERE topic = 'oro.search.reindex' AND queue = 'oro.search' ORDER BY id");
}

stack_consumer_stop();
sql("DELETE FROM $table");

my ($org) = sql('SELECT MIN(id) FROM oro_organization');
my ($owner) = sql('SELECT MIN(id) FROM oro_user');
my $new = {data => {type => 'contacts', attributes => {firstName => 'Queue', lastName => 'Tester'},
    relationships => {owner => {data => {type => 'users', id => "$owner"}},
                      organization => {data => {type => 'organizations', id => "$org"}}}}};
my ($res, $doc) = call(POST => '/api/contacts', $new);
is($res->{status}, 201, 'create a contact') or diag $res->{content};
my $id = $doc->{data}{id};
my @m = reindex_bodies();
is(scalar @m, 1, 'the create enqueued one message');
is_deeply($m[0], {entity => 'contacts', ids => ["$id"]}, 'naming the entity and the id');

($res) = call(POST => '/api/contacts', {data => {type => 'contacts', attributes => {firstName => 'x'}}});
is($res->{status}, 400, 'a refused create');
is(scalar(reindex_bodies()), 1, 'enqueues nothing');

($res) = call(PATCH => "/api/contacts/$id", {data => {type => 'contacts', id => "$id", attributes => {lastName => 'Changed'}}});
is($res->{status}, 200, 'update the contact') or diag $res->{content};
@m = reindex_bodies();
is(scalar @m, 2, 'the update enqueued a message');
is_deeply($m[1], {entity => 'contacts', ids => ["$id"]}, 'for the contact');

($res) = call(DELETE => "/api/contacts/$id");
is($res->{status}, 204, 'delete the contact');
@m = reindex_bodies();
is(scalar @m, 3, 'the delete enqueued a message');
is_deeply($m[2], {entity => 'contacts', ids => ["$id"]}, 'so that the index drops it');

my @ids;
for my $i (1 .. 2) {
    ($res, $doc) = call(POST => '/api/contacts', {data => {type => 'contacts',
        attributes => {firstName => 'Bulk', lastName => "Queue$i"}, relationships => $new->{data}{relationships}}});
    push @ids, $doc->{data}{id};
}
sql("DELETE FROM $table");
($res) = call(DELETE => '/api/contacts?filter[lastName]=Queue1,Queue2');
is($res->{status}, 204, 'bulk delete') or diag $res->{content};
@m = reindex_bodies();
is(scalar @m, 1, 'one message for the bulk delete');
is_deeply([sort @{ $m[0]{ids} }], [sort map {"$_"} @ids], 'with every deleted id');

stack_consumer_start();
ok(wait_until(30, sub { sql_count("SELECT COUNT(*) FROM $table") == 0 }), 'the consumer takes them once it runs');
done_testing();
