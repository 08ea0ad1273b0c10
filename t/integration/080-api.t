# The JSON:API over the demo data: reads (filters, sort, pages, include, sparse
# fieldsets, titles, counts), writes (create, update, delete with validation, unique
# and relation checks, optimistic locking), media types and methods. The same
# assertions hold on PostgreSQL and MariaDB.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;

my $JSONAPI = 'application/vnd.api+json';
sub call {
    my ($method, $path, $body, $headers) = @_;
    my %h = (Accept => $JSONAPI, %{ $headers || {} });
    my %opts = (headers => \%h);
    if (defined $body) {
        $h{'Content-Type'} ||= $JSONAPI;
        $opts{content} = ref $body ? encode_json($body) : $body;
    }
    my $res = http($method, $path, \%opts);
    return ($res, json_of($res));
}
sub ids { [map { $_->{id} } @{ $_[0]{data} }] }

# --- reads
my ($res, $doc) = call(GET => '/api/contacts');
is($res->{status}, 200, 'list contacts');
like($res->{headers}{'content-type'}, qr{^application/vnd\.api\+json}, 'as JSON:API');
is(scalar @{ $doc->{data} }, 10, 'ten per page by default');
my $first = $doc->{data}[0];
is($first->{type}, 'contacts', 'resource type');
ok(exists $first->{attributes}{firstName} && exists $first->{attributes}{lastName}, 'attributes');
ok(!exists $first->{attributes}{password}, 'no password attribute');
is(ref $first->{relationships}{owner}{data}, 'HASH', 'owner linkage');
is($first->{relationships}{owner}{data}{type}, 'users', 'owner is a user');
like($doc->{links}{next}, qr{page\[number\]=2}, 'a next page link');
ok(!exists $doc->{links}{prev}, 'no prev link on the first page');
my @names = map { $_->{attributes}{lastName} } @{ $doc->{data} };
is_deeply(\@names, [sort { lc $a cmp lc $b } @names], 'default sort: lastName, firstName');

($res, $doc) = call(GET => '/api/contacts?page[size]=5&page[number]=3&sort=id');
is_deeply(ids($doc), [11 .. 15], 'page 3 of 5 by id');
like($doc->{links}{prev}, qr{page\[number\]=2}, 'prev link');

($res, $doc) = call(GET => '/api/contacts?sort=-id&page[size]=3');
is_deeply(ids($doc), [1000, 999, 998], 'sort descending');

($res, $doc) = call(GET => '/api/contacts?page[size]=1', undef, {'X-Include' => 'totalCount'});
is($res->{headers}{'x-include-total-count'}, 1000, 'X-Include: totalCount');
like($doc->{links}{last}, qr{page\[number\]=1000}, 'last link with the total');

# filters: equality, lists, ranges, comparison, text operators, relations
($res, $doc) = call(GET => '/api/contacts?filter[id]=3,5,7&sort=id');
is_deeply(ids($doc), [3, 5, 7], 'filter[id]=list');
($res, $doc) = call(GET => '/api/contacts?filter[id]=10..13&sort=id');
is_deeply(ids($doc), [10 .. 13], 'filter range a..b');
($res, $doc) = call(GET => '/api/contacts?filter[id][gt]=997&sort=id');
is_deeply(ids($doc), [998, 999, 1000], 'filter[id][gt]');
($res, $doc) = call(GET => '/api/contacts?filter[id][lte]=2&sort=id');
is_deeply(ids($doc), [1, 2], 'filter[id][lte]');
($res, $doc) = call(GET => '/api/contacts?filter[id][neq]=1&page[size]=1&sort=id');
is_deeply(ids($doc), [2], 'filter[id][neq]');
my ($lastname) = sql("SELECT last_name FROM orocrm_contact WHERE id = 1");
my @same = sql("SELECT id FROM orocrm_contact WHERE last_name = '$lastname' ORDER BY id");
($res, $doc) = call(GET => "/api/contacts?filter[lastName]=$lastname&sort=id&page[size]=100");
is_deeply(ids($doc), \@same, 'filter on a string field');
my $prefix = substr($lastname, 0, 3);
my @starting = sql("SELECT id FROM orocrm_contact WHERE LOWER(last_name) LIKE LOWER('$prefix%') ORDER BY id");
($res, $doc) = call(GET => "/api/contacts?filter[lastName][starts_with]=" . lc($prefix) . "&sort=id&page[size]=100");
is_deeply(ids($doc), \@starting, 'starts_with is case-insensitive');
my ($account) = sql("SELECT account_id FROM orocrm_contact WHERE account_id IS NOT NULL ORDER BY id LIMIT 1");
my @of_account = sql("SELECT id FROM orocrm_contact WHERE account_id = $account ORDER BY id");
($res, $doc) = call(GET => "/api/contacts?filter[account]=$account&sort=id");
is_deeply(ids($doc), \@of_account, 'filter on a many-to-one relation');
my ($no_account) = sql("SELECT COUNT(*) FROM orocrm_contact WHERE account_id IS NULL");
($res, $doc) = call(GET => '/api/contacts?filter[account][exists]=no&page[size]=1', undef, {'X-Include' => 'totalCount'});
is($res->{headers}{'x-include-total-count'}, $no_account, 'exists=no on a relation');
my @accounts_with = sql("SELECT DISTINCT account_id FROM orocrm_contact WHERE id IN (1, 2) AND account_id IS NOT NULL ORDER BY account_id");
($res, $doc) = call(GET => '/api/accounts?filter[contacts]=1,2&sort=id');
is_deeply(ids($doc), \@accounts_with, 'filter on a one-to-many relation');
($res, $doc) = call(GET => '/api/users?filter[roles]=1&sort=id');
is_deeply(ids($doc), [sql("SELECT user_id FROM oro_user_access_role WHERE role_id = 1 ORDER BY user_id")],
          'filter on a many-to-many relation');
($res, $doc) = call(GET => '/api/opportunities?filter[status]=won&page[size]=1', undef, {'X-Include' => 'totalCount'});
is($res->{headers}{'x-include-total-count'}, (sql("SELECT COUNT(*) FROM orocrm_sales_opportunity WHERE status = 'won'"))[0],
   'filter on an enum');

# include, sparse fieldsets, meta=title
($res, $doc) = call(GET => "/api/contacts?filter[account]=$account&include=account,owner&fields[contacts]=firstName,account&fields[accounts]=name&meta=title");
is($res->{status}, 200, 'include + fields + meta');
is_deeply([sort keys %{ $doc->{data}[0]{attributes} }], ['firstName'], 'sparse attributes');
is_deeply([sort keys %{ $doc->{data}[0]{relationships} }], ['account'], 'sparse relationships');
ok($doc->{data}[0]{meta}{title}, 'meta title');
my @inc_accounts = grep { $_->{type} eq 'accounts' } @{ $doc->{included} };
is(scalar @inc_accounts, 1, 'the account is included once');
is_deeply([keys %{ $inc_accounts[0]{attributes} }], ['name'], 'included resources obey fields[]');
my %seen; my $dupes = grep { $seen{"$_->{type}/$_->{id}"}++ } @{ $doc->{included} };
is($dupes, 0, 'no duplicates in included');
($res, $doc) = call(GET => "/api/accounts/$account?include=contacts.owner");
is($res->{status}, 200, 'nested include on a to-many');
is(scalar @{ $doc->{data}{relationships}{contacts}{data} }, scalar @of_account, 'to-many linkage when included');
ok((grep { $_->{type} eq 'users' } @{ $doc->{included} }), 'second level included');

# read errors
for my $bad (['filter[nope]=1', 'filter[nope]'], ['filter[id][gtx]=1', 'filter[id][gtx]'],
             ['filter[id]=abc', 'filter[id]'], ['sort=nope', 'sort'], ['page[size]=1000', 'page[size]'],
             ['page[number]=0', 'page[number]'], ['include=nope', 'include'],
             ['fields[nope]=a', 'fields[nope]'], ['filter[birthday]=2023-02-30', 'filter[birthday]']) {
    ($res, $doc) = call(GET => "/api/contacts?$bad->[0]");
    is($res->{status}, 400, "$bad->[0] is a 400");
    is($doc->{errors}[0]{source}{parameter}, $bad->[1], "$bad->[0]: source.parameter");
}
($res, $doc) = call(GET => '/api/contacts/999999');
is($res->{status}, 404, 'unknown id is 404');
($res, $doc) = call(GET => '/api/contacts/abc');
is($res->{status}, 404, 'a non-numeric id is 404');
($res, $doc) = call(GET => '/api/nothings');
is($res->{status}, 404, 'unknown type is 404');

# --- methods and media types
($res) = call(PUT => '/api/contacts/1', {});
is($res->{status}, 405, 'PUT is 405');
like($res->{headers}{allow}, qr/PATCH/, 'with Allow');
($res) = call(POST => '/api/contacts', '{}', {'Content-Type' => 'text/plain'});
is($res->{status}, 415, 'a text/plain body is 415');
($res) = call(POST => '/api/contacts', '{}', {'Content-Type' => "$JSONAPI; charset=latin1; foo=bar"});
is($res->{status}, 415, 'media type parameters are 415');
($res) = call(GET => '/api/contacts', undef, {Accept => 'text/html'});
is($res->{status}, 406, 'Accept: text/html is 406');
($res) = call(GET => '/api/contacts', undef, {Accept => "$JSONAPI; foo=bar"});
is($res->{status}, 406, 'only a modified JSON:API media type is 406');

# --- writes
my ($org, $owner) = split /\t/, (sql("SELECT organization_id, owner_id FROM orocrm_contact WHERE id = 1"))[0];
my $new = {data => {type => 'contacts', attributes => {firstName => 'Ada', lastName => 'Lovelace',
    primaryEmail => 'ada@example.com', birthday => '1815-12-10', gender => 'female'},
    relationships => {owner => {data => {type => 'users', id => "$owner"}},
                      organization => {data => {type => 'organizations', id => "$org"}},
                      account => {data => {type => 'accounts', id => "$account"}}}}};
($res, $doc) = call(POST => '/api/contacts', $new);
is($res->{status}, 201, 'create a contact') or diag $res->{content};
my $id = $doc->{data}{id};
like($res->{headers}{location}, qr{/api/contacts/$id$}, 'Location');
ok($res->{headers}{etag}, 'ETag');
is($doc->{data}{attributes}{birthday}, '1815-12-10', 'the saved record comes back');
like($doc->{data}{attributes}{createdAt}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'createdAt in ISO 8601 UTC');
is((sql("SELECT first_name FROM orocrm_contact WHERE id = $id"))[0], 'Ada', 'stored');
{
    # the answer of a create is the record as a read gives it (PostgreSQL answers from the
    # INSERT's RETURNING, MariaDB reads the record again)
    my ($get, $got) = call(GET => "/api/contacts/$id");
    is_deeply($doc, $got, 'the create answers what a read of the record answers');
    is($res->{headers}{etag}, $get->{headers}{etag}, 'with the same ETag');
}

# validation: every problem at once
($res, $doc) = call(POST => '/api/contacts', {data => {type => 'contacts', attributes => {
    firstName => 'x' x 300, gender => 'robot', birthday => 'yesterday', primaryEmail => 'nope', bogus => 1}}});
is($res->{status}, 400, 'an invalid document is 400');
my %pointers = map { $_->{source}{pointer} => 1 } @{ $doc->{errors} };
for my $p (qw(/data/attributes/firstName /data/attributes/gender /data/attributes/birthday
              /data/attributes/primaryEmail /data/attributes/bogus /data/attributes/lastName)) {
    ok($pointers{$p}, "error at $p") or diag explain $doc;
}
# owner and organization default to the caller's (docs/security.md), so they are not errors
ok(!$pointers{'/data/relationships/owner/data'}, 'no owner is no error');
($res, $doc) = call(POST => '/api/contacts', '{"data": {"type": "contacts", ');
is($res->{status}, 400, 'malformed JSON is 400');
($res, $doc) = call(POST => '/api/contacts', {data => {type => 'accounts', attributes => {name => 'x'}}});
is($res->{status}, 409, 'a wrong type is 409');
($res, $doc) = call(POST => '/api/contacts', {data => {type => 'contacts', id => '5', attributes => {}}});
is($res->{status}, 403, 'a client id is 403');
($res, $doc) = call(POST => '/api/contacts', "{\"data\": {\"type\": \"contacts\", \"attributes\": {\"firstName\": \"\xff\xfe\"}}}");
is($res->{status}, 400, 'invalid UTF-8 is 400');
($res, $doc) = call(POST => '/api/contacts', ('[' x 100) . (']' x 100));
is($res->{status}, 400, 'deep nesting is 400');
my $bad_rel = decode_json(encode_json($new));
$bad_rel->{data}{relationships}{account}{data}{id} = '99999999';
($res, $doc) = call(POST => '/api/contacts', $bad_rel);
is($res->{status}, 400, 'a missing relation target is 400');
is($doc->{errors}[0]{source}{pointer}, '/data/relationships/account/data', 'pointing at it');
my $dupe_product = {data => {type => 'products', attributes => {sku => (sql("SELECT sku FROM oro_product WHERE id = 1"))[0], name => 'Copy'},
    relationships => {organization => {data => {type => 'organizations', id => '1'}}}}};
($res, $doc) = call(POST => '/api/products', $dupe_product);
is($res->{status}, 409, 'a duplicate unique value is 409');
is($doc->{errors}[0]{source}{pointer}, '/data/attributes/sku', 'pointing at it');

# update with optimistic locking
my $etag = $res->{headers}{etag};
($res, $doc) = call(GET => "/api/contacts/$id");
$etag = $res->{headers}{etag};
($res) = call(GET => "/api/contacts/$id", undef, {'If-None-Match' => $etag});
is($res->{status}, 304, 'If-None-Match with the current ETag is 304');
($res, $doc) = call(PATCH => "/api/contacts/$id", {data => {type => 'contacts', id => "$id", attributes => {jobTitle => 'Analyst'}}},
                   {'If-Match' => $etag});
is($res->{status}, 200, 'PATCH with the current ETag') or diag $res->{content};
is($doc->{data}{attributes}{jobTitle}, 'Analyst', 'changed');
is($doc->{data}{attributes}{firstName}, 'Ada', 'the rest kept');
isnt($res->{headers}{etag}, $etag, 'a new ETag');
($res, $doc) = call(PATCH => "/api/contacts/$id", {data => {type => 'contacts', id => "$id", attributes => {jobTitle => 'Stale'}}},
                   {'If-Match' => $etag});
is($res->{status}, 412, 'PATCH with a stale ETag is 412');
is((sql("SELECT job_title FROM orocrm_contact WHERE id = $id"))[0], 'Analyst', 'nothing written');
($res, $doc) = call(PATCH => "/api/contacts/$id", {data => {type => 'contacts', id => '1', attributes => {}}});
is($res->{status}, 409, 'an id differing from the URL is 409');
($res, $doc) = call(PATCH => "/api/contacts/$id", {data => {type => 'contacts', id => "$id", attributes => {lastName => undef}}});
is($res->{status}, 400, 'setting a required field to null is 400');
($res, $doc) = call(PATCH => "/api/contacts/$id", {data => {type => 'contacts', id => "$id", attributes => {createdAt => '2020-01-01T00:00:00Z'}}});
is($res->{status}, 400, 'a read-only field is 400');

# delete
($res) = call(DELETE => "/api/contacts/$id", undef, {'If-Match' => '"stale"'});
is($res->{status}, 412, 'DELETE with a stale ETag is 412');
($res) = call(DELETE => "/api/contacts/$id");
is($res->{status}, 204, 'DELETE');
($res) = call(GET => "/api/contacts/$id");
is($res->{status}, 404, 'gone');
($res) = call(DELETE => "/api/contacts/$id");
is($res->{status}, 404, 'a second DELETE is 404');
($res, $doc) = call(DELETE => '/api/organizations/1');
is($res->{status}, 409, 'deleting a referenced record is 409');
is((sql("SELECT COUNT(*) FROM oro_organization WHERE id = 1"))[0], 1, 'and it stays');

# metadata
($res, $doc) = call(GET => '/api/metadata');
is($res->{status}, 200, '/api/metadata');
my ($contacts_meta) = grep { $_->{id} eq 'contacts' } @{ $doc->{data} };
is($contacts_meta->{attributes}{fields}{primaryEmail}{type}, 'email', 'describes the fields');
is($contacts_meta->{attributes}{relations}{account}{target}, 'accounts', 'and the relations');

done_testing;
