# Search over the demo data: oroctl search:reindex builds the index; /api/search
# (simple), /api/searchentities and /api/search/advanced (Oro's query language) answer
# from it; every kind of bad input is a 400 naming the parameter (and for the query
# language the position and what was expected).
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;

sub enc { my $s = shift; $s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge; $s }
sub get_json {
    my ($path) = @_;
    my $res = http(GET => $path, {headers => {Accept => 'application/vnd.api+json'}});
    return ($res, json_of($res));
}
sub search { get_json('/api/search?' . join('&', map { enc($_->[0]) . '=' . enc($_->[1]) } @_)) }
sub advanced { get_json('/api/search/advanced?query=' . enc($_[0])) }

# --- the index
my ($rc, $out, $err) = oroctl('search:reindex');
is($rc, 0, 'search:reindex succeeds') or diag($err);
like($out, qr/^contacts: \d+ indexed$/m, 'reports each type');
like($out, qr/search index: \d+ documents/, 'reports the total');
($rc, $out, $err) = oroctl('search:reindex', 'nosuchtype');
is($rc, 2, 'an unknown type is a usage error');
like($err, qr/unknown entity type "nosuchtype"/, '... named');
($rc, $out, $err) = oroctl('search:reindex', 'roles');
is($rc, 2, 'a type without searchable fields is refused');
($rc, $out, $err) = oroctl('search:reindex', '--bogus');
is($rc, 2, 'an unknown option is a usage error');
($rc, $out, $err) = oroctl('search:reindex', 'contacts');
is($rc, 0, 'reindexing one type') or diag($err);
like($out, qr/^contacts: \d+ indexed$/m, '... reindexes it');
unlike($out, qr/^accounts:/m, '... and only it');

# a contact of the demo data, to look for
my ($row) = sql("SELECT c.id, c.first_name, c.last_name, a.name FROM orocrm_contact c "
              . "JOIN orocrm_account a ON a.id = c.account_id ORDER BY c.id LIMIT 1");
my ($cid, $first, $last, $account) = split /\t/, $row;

# --- simple search
my ($res, $doc) = search(['filter[searchText]', "$first $last"]);
is($res->{status}, 200, 'simple search answers 200');
my @hits = @{ $doc->{data} || [] };
ok(@hits > 0, 'finds something');
my ($hit) = grep { $_->{id} eq "contacts-$cid" } @hits;
ok($hit, 'finds the contact by first and last name');
is($hit->{type}, 'search', 'resources of type search');
is($hit->{attributes}{entity}, 'contacts', 'entity');
is($hit->{attributes}{entityId}, $cid, 'entity id');
is($hit->{attributes}{title}, "$first $last", 'title from the titleTemplate');
ok($hit->{attributes}{score} > 0, 'a score');
like($hit->{links}{entity}, qr{/api/contacts/$cid$}, 'a link to the record');
is_deeply($hit->{relationships}{entity}{data}, {type => 'contacts', id => $cid}, 'linkage');

($res, $doc) = search(['filter[searchText]', $account], ['filter[entities]', 'contacts']);
ok((grep { $_->{id} eq "contacts-$cid" } @{ $doc->{data} }), "a contact is found by its account's name");
ok(!(grep { $_->{attributes}{entity} ne 'contacts' } @{ $doc->{data} }), 'filter[entities] restricts the types');

($res, $doc) = search(['filter[searchText]', $account], ['filter[entities]', 'accounts,contacts'],
                      ['page[size]', 1]);
is(scalar @{ $doc->{data} }, 1, 'page[size]');
like($doc->{links}{next} || '', qr/page%5Bnumber%5D=2/i, 'a next link');
my ($res2, $doc2) = search(['filter[searchText]', $account], ['filter[entities]', 'accounts,contacts'],
                           ['page[size]', 1], ['page[number]', 2]);
is($res2->{status}, 200, 'page 2');
isnt($doc2->{data}[0]{id}, $doc->{data}[0]{id}, 'page 2 differs from page 1') if @{ $doc2->{data} };
ok($doc2->{links}{prev}, 'a prev link on page 2');

($res, $doc) = search(['filter[searchText]', 'qqqzzzxxyy']);
is($res->{status}, 200, 'no match is 200');
is_deeply($doc->{data}, [], '... with no data');

# --- bad input
for my $case (
    [[], 'filter[searchText]', 'missing searchText'],
    [[['filter[searchText]', '   ']], 'filter[searchText]', 'blank searchText'],
    [[['filter[searchText]', 'x' x 1001]], 'filter[searchText]', 'searchText too long'],
    [[['filter[searchText]', 'a'], ['filter[entities]', 'nope']], 'filter[entities]', 'unknown entity'],
    [[['filter[searchText]', 'a'], ['filter[entities]', 'roles']], 'filter[entities]', 'not searchable'],
    [[['filter[searchText]', 'a'], ['filter[entities]', ',']], 'filter[entities]', 'empty entity list'],
    [[['filter[searchText]', 'a'], ['page[size]', '0']], 'page[size]', 'page[size] 0'],
    [[['filter[searchText]', 'a'], ['page[size]', '100000']], 'page[size]', 'page[size] too large'],
    [[['filter[searchText]', 'a'], ['page[number]', 'x']], 'page[number]', 'page[number] not a number'],
    [[['filter[searchText]', 'a'], ['page[number]', '-1']], 'page[number]', 'page[number] negative'],
) {
    my ($params, $parameter, $name) = @$case;
    ($res, $doc) = search(@$params);
    is($res->{status}, 400, "$name: 400");
    is($doc->{errors}[0]{source}{parameter}, $parameter, "$name: names $parameter");
}
($res, $doc) = get_json('/api/search?filter%5BsearchText%5D=%FF');
is($res->{status}, 400, 'invalid UTF-8: 400');
($res) = search(['filter[searchText]', '"unbalanced']);
ok($res->{status} == 200 || $res->{status} == 400, 'an odd search text is not a 500');
$res = http(POST => '/api/search', {content => '{}', headers => {'Content-Type' => 'application/vnd.api+json'}});
is($res->{status}, 405, 'POST is 405');
like($res->{headers}{allow} || '', qr/GET/, '... with Allow');

# --- searchentities
($res, $doc) = get_json('/api/searchentities');
is($res->{status}, 200, 'searchentities');
my %types = map { $_->{id} => $_ } @{ $doc->{data} };
ok($types{contacts} && $types{accounts}, 'lists contacts and accounts');
ok(!$types{roles}, 'not roles (nothing searchable)');
is($types{contacts}{type}, 'searchentities', 'type');
ok((grep { $_->{name} eq 'lastName' && $_->{type} eq 'text' } @{ $types{contacts}{attributes}{fields} }),
   'lists the searchable fields with their types');

# --- advanced search
($res, $doc) = advanced("from contacts where lastName = \"$last\" and firstName = '$first' "
                      . "select (firstName, primaryEmail)");
is($res->{status}, 200, 'advanced: equality') or diag($res->{content});
ok((grep { $_->{id} eq "contacts-$cid" } @{ $doc->{data} }), '... finds the contact');
is($doc->{data}[0]{attributes}{selectedData}{firstName}, $first, 'select returns the field values');
# a field's words are indexed without positions: an address (whose words the parser
# joins into a phrase) and a quoted value still match in a field condition
my ($email) = sql("SELECT primary_email FROM orocrm_contact WHERE id = $cid");
($res, $doc) = advanced("from contacts where primaryEmail ~ \"$email\" and integer id = $cid");
is(scalar @{ $doc->{data} || [] }, 1, '~ with an e-mail address in a field') or diag($res->{content});
($res, $doc) = advanced("from accounts where name ~ \"$account\" max_results 100");
ok((grep { $_->{attributes}{title} eq $account } @{ $doc->{data} || [] }), '~ with a quoted value of several words')
    or diag($res->{content});
($res, $doc) = advanced("from contacts where firstName ~ " . lc(substr($first, 0, 3)) . " max_results 50");
ok((grep { $_->{attributes}{title} =~ /^\Q$first\E/ } @{ $doc->{data} }), '~ matches a word prefix');
($res, $doc) = advanced("from contacts where firstName starts_with " . lc(substr($first, 0, 2))
                      . " and lastName like " . lc(substr($last, 1, 3)) . " max_results 100");
ok((grep { $_->{id} eq "contacts-$cid" } @{ $doc->{data} }), 'starts_with and like (case-insensitive)');
($res, $doc) = advanced("from contacts where integer id >= $cid and integer id < " . ($cid + 3)
                      . " order_by integer id desc");
is_deeply([map { $_->{attributes}{entityId} } @{ $doc->{data} }],
          [reverse grep { sql("SELECT 1 FROM orocrm_contact WHERE id = $_") } ($cid .. $cid + 2)],
          'integer ranges, order_by DESC');
($res, $doc) = advanced("from contacts where integer id in ($cid, " . ($cid + 1) . ") and lastName !in (zzzz)");
is(scalar @{ $doc->{data} }, 2, 'in and !in');
($res, $doc) = advanced("from contacts where (integer id = $cid or integer id = " . ($cid + 1)
                      . ") and firstName != \"$first\"");
ok(!(grep { $_->{id} eq "contacts-$cid" } @{ $doc->{data} }), 'parentheses, or, !=');
($res, $doc) = advanced("from contacts where integer id = $cid and jobTitle exists");
my ($job) = sql("SELECT COALESCE(job_title, '') FROM orocrm_contact WHERE id = $cid");
is(scalar @{ $doc->{data} }, $job eq '' ? 0 : 1, 'exists');
($res, $doc) = advanced("from contacts where integer id = $cid and firstName notlike zzzz and lastName !~ zzzz");
is(scalar @{ $doc->{data} }, 1, 'notlike and !~');
($res, $doc) = advanced("from contacts where integer id = $cid and description notexists");
is($res->{status}, 200, 'notexists');
($res, $doc) = advanced("from (contacts, accounts) where all_text ~ \"$account\" max_results 5 offset 0");
ok((grep { $_->{attributes}{entity} eq 'accounts' } @{ $doc->{data} }), 'from a list of types, all_text');
($res, $doc) = advanced("from contacts where lastName = \"$last\" aggregate text firstName count as names");
is($doc->{meta}{aggregatedData}{names}{$first} >= 1 ? 1 : 0, 1, 'aggregate count per value');
($res, $doc) = advanced("from contacts aggregate integer id max top aggregate integer id min bottom max_results 1");
ok($doc->{meta}{aggregatedData}{top} >= $doc->{meta}{aggregatedData}{bottom}, 'aggregate max and min');
($res, $doc) = advanced("from contacts where integer id >= 1 max_results 3 offset 2");
is(scalar @{ $doc->{data} }, 3, 'max_results');
($res, $doc) = advanced("from * where all_text ~ \"$account\"");
is($res->{status}, 200, 'from *');
($res, $doc) = advanced("from contacts where datetime createdAt > \"2000-01-01 00:00:00\" max_results 1");
is(scalar @{ $doc->{data} }, 1, 'datetime comparison');

# --- syntax errors: 400 with the position and what was expected
for my $case (
    ['', 0, 'a clause'],
    ['from contacts where', 19, 'a field name'],
    ['from contacts where firstName', 29, 'an operator'],
    ['from contacts where firstName ~', 31, 'a value'],
    ['from contacts where (firstName ~ a', 34, '"\\)"'],
    ['from contacts where integer id > abc', 33, 'an integer'],
    ['from contacts where firstName > a', 30, 'does not apply'],
    ['from contacts where firstName in a', 33, '"\("'],
    ['from contacts where firstName in (a b)', 36, '","'],
    ['from contacts where firstName ~ "open', 32, 'unterminated'],
    ['from contacts max_results x', 26, 'a number'],
    ['from contacts from accounts', 14, 'appears twice'],
    ['frm contacts', 0, 'a clause'],
    ['from contacts order_by', 22, 'a field name'],
    ['from contacts aggregate text name sum', 34, 'needs a number field'],
    ['from contacts where datetime createdAt > yesterday', 41, 'a date'],
    ['from contacts where a = b !', 26, '"!"'],
    ['from contacts where ' . ('(' x 40) . 'a = b' . (')' x 40), undef, 'nested deeper'],
) {
    my ($q, $pos, $expect) = @$case;
    ($res, $doc) = advanced($q);
    is($res->{status}, 400, "syntax error 400: $q");
    my $detail = $doc->{errors}[0]{detail} || '';
    like($detail, qr/at position \Q$pos\E:/, "... at position $pos") if defined $pos;
    like($detail, qr/$expect/, "... says $expect");
    is($doc->{errors}[0]{source}{parameter}, 'query', '... names the parameter');
}
($res, $doc) = advanced('from nope');
is($res->{status}, 400, 'unknown entity in from: 400');
($res, $doc) = advanced('from contacts max_results 100000');
is($res->{status}, 400, 'max_results above the page size limit: 400');
($res, $doc) = get_json('/api/search/advanced');
is($res->{status}, 400, 'missing query: 400');
($res, $doc) = advanced('x' x 5000);
is($res->{status}, 400, 'an overlong query: 400');

done_testing();
