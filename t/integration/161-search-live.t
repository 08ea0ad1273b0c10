# The index kept current through the queue: a contact created through the API is
# found by /api/search, after its deletion it is gone, after its account is renamed it
# is found by the new name (the account's dependents are reindexed); the indexer
# rejects malformed oro.search.reindex messages without losing the others.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;

my $JSONAPI = 'application/vnd.api+json';
sub call {
    my ($method, $path, $body) = @_;
    my %opts = (headers => {Accept => $JSONAPI, 'Content-Type' => $JSONAPI});
    $opts{content} = encode_json($body) if defined $body;
    my $res = http($method, $path, \%opts);
    return ($res, json_of($res));
}
sub found {
    my ($text, $id) = @_;
    my ($res, $doc) = call(GET => "/api/search?filter%5BsearchText%5D=$text&page%5Bsize%5D=50");
    return 0 if $res->{status} != 200;
    return scalar grep { $_->{id} eq $id } @{ $doc->{data} };
}
# The write paths enqueue oro.search.reindex in their transaction (the queue's work);
# the indexer picks it up. NB: the waits are generous so the test cannot flake; the
# latency is measured in bench/search, not asserted here.
my $WAIT = 20;

my ($rc, $out, $err) = oroctl('search:reindex');
is($rc, 0, 'a fresh index') or diag($err);

my ($org, $owner) = split /\t/, (sql("SELECT organization_id, owner_id FROM orocrm_account ORDER BY id LIMIT 1"))[0];
my $tag = 'q' . join('', map { ('a' .. 'z')[rand 26] } 1 .. 8);
my ($res, $doc) = call(POST => '/api/accounts', {data => {type => 'accounts',
    attributes => {name => "Acct$tag"},
    relationships => {owner => {data => {type => 'users', id => "$owner"}},
                      organization => {data => {type => 'organizations', id => "$org"}}}}});
is($res->{status}, 201, 'create an account') or diag($res->{content});
my $aid = $doc->{data}{id};
($res, $doc) = call(POST => '/api/contacts', {data => {type => 'contacts',
    attributes => {firstName => "Zed$tag", lastName => 'Searchable'},
    relationships => {owner => {data => {type => 'users', id => "$owner"}},
                      organization => {data => {type => 'organizations', id => "$org"}},
                      account => {data => {type => 'accounts', id => "$aid"}}}}});
is($res->{status}, 201, 'create a contact') or diag($res->{content});
my $cid = $doc->{data}{id};

ok(wait_until($WAIT, sub { found("zed$tag", "contacts-$cid") }), 'the new contact is found');
ok(found("acct$tag", "contacts-$cid"), "... and by its account's name");
ok(found("acct$tag", "accounts-$aid"), 'the new account is found');

($res) = call(PATCH => "/api/accounts/$aid", {data => {type => 'accounts', id => "$aid",
    attributes => {name => "Renamed$tag"}}});
is($res->{status}, 200, 'rename the account') or diag($res->{content});
ok(wait_until($WAIT, sub { found("renamed$tag", "contacts-$cid") }),
   'the contact is found by the new account name');
ok(!found("acct$tag", "contacts-$cid"), '... and no longer by the old one');

($res) = call(PATCH => "/api/contacts/$cid", {data => {type => 'contacts', id => "$cid",
    attributes => {lastName => "Moved$tag"}}});
is($res->{status}, 200, 'update the contact');
ok(wait_until($WAIT, sub { found("moved$tag", "contacts-$cid") }), 'found by its new last name');

# a change of the account's contacts changes the contacts' documents: the member that
# leaves the set, through the relationship or through a PATCH of the account
($res) = call(PATCH => "/api/accounts/$aid/relationships/contacts", {data => []});
is($res->{status}, 204, 'take the contact out of the account') or diag($res->{content});
ok(wait_until($WAIT, sub { !found("renamed$tag", "contacts-$cid") }),
   'the contact is no longer found by the account name');
($res) = call(PATCH => "/api/accounts/$aid", {data => {type => 'accounts', id => "$aid",
    relationships => {contacts => {data => [{type => 'contacts', id => "$cid"}]}}}});
is($res->{status}, 200, 'put it back through a PATCH of the account') or diag($res->{content});
ok(wait_until($WAIT, sub { found("renamed$tag", "contacts-$cid") }), 'found by the account name again');
($res) = call(PATCH => "/api/accounts/$aid", {data => {type => 'accounts', id => "$aid",
    relationships => {contacts => {data => []}}}});
is($res->{status}, 200, 'and out again the same way') or diag($res->{content});
ok(wait_until($WAIT, sub { !found("renamed$tag", "contacts-$cid") }), 'not found by it again');

($res) = call(DELETE => "/api/contacts/$cid");
is($res->{status}, 204, 'delete the contact');
ok(wait_until($WAIT, sub { !found("zed$tag", "contacts-$cid") }), 'the deleted contact is gone');

# malformed messages are dead-lettered alone; the good one in the same batch is indexed
my $queue_opts = ['--queue', 'oro.search'];
for my $body ('"a string"', '{"entity":"nope","ids":[1]}', '{"entity":"contacts","ids":[-1]}',
              '{"entity":"contacts","ids":"1"}', '{"ids":[1]}', '[]') {
    ($rc, $out, $err) = oroctl('mq:send', 'oro.search.reindex', $body, @$queue_opts);
    is($rc, 0, "enqueue a malformed message: $body") or diag($err);
}
sql("UPDATE orocrm_account SET name = 'Direct$tag' WHERE id = $aid");
($rc, $out, $err) = oroctl('mq:send', 'oro.search.reindex', qq({"entity":"accounts","ids":[$aid]}), @$queue_opts);
is($rc, 0, 'enqueue a reindex of a record changed behind the API\'s back');
ok(wait_until($WAIT, sub { found("direct$tag", "accounts-$aid") }), '... and it is indexed');
ok(wait_until($WAIT, sub {
    (sql("SELECT COUNT(*) FROM oro_message_dead WHERE topic = 'oro.search.reindex'"))[0] >= 6;
}), 'the malformed messages are dead-lettered');
($res) = call(GET => '/api/system/status');
is($res->{status}, 200, 'the stack is still healthy');

done_testing();
