# The JSON:API under attack: garbage, huge, malformed, injected and lying input in the
# query string, the path, the body and the headers. Every bad request must get its exact
# 4xx status with a JSON:API error document (where mod_oro answers; Apache's own limits
# answer in HTML), the server must go on answering, no child may crash, no SQL error may
# reach the database log, and a refused write must leave the database as it was.
# The same assertions hold on PostgreSQL and MariaDB.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use IO::Socket::INET;
use Time::HiRes qw(time);
use OroTest;

my $JSONAPI = 'application/vnd.api+json';
my $JSON    = JSON::PP->new->utf8->canonical;
my $log     = var_dir() . '/log/error.log';
my $log_pos = -s $log || 0;
$SIG{PIPE} = 'IGNORE';

sub call {
    my ($method, $path, $body, $headers) = @_;
    my %h = (Accept => $JSONAPI, %{ $headers || {} });
    my %opts = (headers => \%h);
    if (defined $body) {
        $h{'Content-Type'} = $JSONAPI unless exists $h{'Content-Type'};
        delete $h{'Content-Type'} unless defined $h{'Content-Type'};
        $opts{content} = ref $body ? $JSON->encode($body) : $body;
    }
    my $res = http($method, $path, \%opts);
    return ($res, json_of($res));
}

# What error.log gained since the last look: no crash, no sanitizer report, no database
# error (an SQL error is a 503 and a log line).
sub log_clean {
    my ($name) = @_;
    my $text = '';
    if (open my $fh, '<', $log) {
        seek $fh, $log_pos, 0;
        local $/;
        $text = <$fh> // '';
        $log_pos = tell $fh;
    }
    my @bad = grep { /Segmentation fault|exit signal|AddressSanitizer|runtime error:|oro_api_database_error|AH00052/ }
              split /\n/, $text;
    ok(!@bad, "$name: no crash or SQL error in error.log") or diag join "\n", @bad[0 .. ($#bad < 4 ? $#bad : 4)];
}

sub alive {
    my ($name) = @_;
    my $res = http(GET => '/api/system/status');
    is($res->{status}, 200, "$name: the server still answers") or diag $res->{content};
    log_clean($name);
}

sub is_error_doc {
    my ($res, $doc, $status, $name) = @_;
    my $ok = ref $doc eq 'HASH' && ref $doc->{errors} eq 'ARRAY' && @{ $doc->{errors} } &&
             !(grep { ref $_ ne 'HASH' || !defined $_->{status} || $_->{status} !~ /^[45]\d\d$/ || !$_->{title} }
               @{ $doc->{errors} }) &&
             ($res->{headers}{'content-type'} // '') =~ m{^application/vnd\.api\+json};
    ok($ok, "$name: a JSON:API error document") or diag substr($res->{content} // '', 0, 600);
    ok(grep({ $_->{status} eq $status } @{ $doc->{errors} || [] }), "$name: an error object with status $status")
        if $ok;
}

my $baseline;
my $contact;    # our own contact's id
sub snapshot {
    my $counts = join '|', sql("SELECT (SELECT COUNT(*) FROM orocrm_contact), (SELECT MAX(id) FROM orocrm_contact), "
        . "(SELECT COUNT(*) FROM oro_product), (SELECT COUNT(*) FROM oro_organization), "
        . "(SELECT COUNT(*) FROM orocrm_account), (SELECT COUNT(*) FROM oro_order_line_item), "
        . "(SELECT SUM(order_id) FROM oro_order_line_item), (SELECT COUNT(*) FROM orocrm_sales_opportunity), "
        . "(SELECT SUM(contact_id) FROM orocrm_sales_opportunity)");
    return $counts unless $contact;
    return join '|', $counts, sql("SELECT * FROM orocrm_contact WHERE id = $contact");
}

# bad(NAME, STATUS, METHOD, PATH, BODY, HEADERS, parameter => P | pointer => P, html => 1)
sub bad {
    my ($name, $status, $method, $path, $body, $headers, %o) = @_;
    $name = substr($name, 0, 80) . '...' if length $name > 80;
    my ($res, $doc) = call($method, $path, $body, $headers);
    is($res->{status}, $status, "$name: $status") or diag substr($res->{content} // '', 0, 600);
    if ($o{html}) {
        ok($res->{status} != 500 && $res->{status} != 503, "$name: not a server error");
    } else {
        is_error_doc($res, $doc, $status, $name);
    }
    if (defined $o{parameter} || defined $o{pointer}) {
        my ($key, $want) = defined $o{parameter} ? ('parameter', $o{parameter}) : ('pointer', $o{pointer});
        ok((grep { ($_->{source}{$key} // '') eq $want } @{ $doc->{errors} || [] }), "$name: source.$key $want")
            or diag $res->{content};
    }
    if ($method ne 'GET' && $method ne 'HEAD') {
        is(snapshot(), $baseline, "$name: the database is unchanged");
    }
    alive($name);
    return ($res, $doc);
}

sub patch_doc_for { return {data => {type => 'contacts', id => "$_[0]", attributes => {jobTitle => 'x'}}} }
# the mariadb client talks utf8mb3 unless told
my $NAMES = ($ENV{DB} || 'pgsql') eq 'mysql' ? 'SET NAMES utf8mb4;' : '';
sub ids { [map { $_->{id} } @{ $_[0]{data} || [] }] }
sub quote_sql { my $s = shift; $s =~ s/'/''/g; return "'$s'" }

# ------------------------------------------------------------------ query strings
alive('start');
$baseline = snapshot();

my @bad_queries = (
    ['filter[a][b][c]=1', 'filter[a][b][c]'],
    ['filter[id][eq][x]=1', 'filter[id][eq][x]'],
    ['filter[]=1', 'filter[]'],
    ['filter=1', 'filter'],
    ['filter[id]]=1', 'filter[id]]'],
    ['filter[[id]=1', 'filter[[id]'],
    ['page[x]=1', 'page[x]'],
    ['page=1', 'page'],
    ['page[size]=', 'page[size]'],
    ['page[size]=abc', 'page[size]'],
    ['page[size]=0', 'page[size]'],
    ['page[size]=-1', 'page[size]'],
    ['page[size]=101', 'page[size]'],
    ['page[size]=99999999999999999999', 'page[size]'],
    ['page[number]=99999999999999999999', 'page[number]'],
    ['page[number]=-0', 'page[number]'],
    ['page[number]=10000001', 'page[number]'],
    ['page[size]=1e5', 'page[size]'],
    ['page[size]=1.5', 'page[size]'],
    ['page[size]=%2B5%20', 'page[size]'],
    ['fields[]=a', 'fields[]'],
    ['fields=a', 'fields'],
    ['fields[contacts][x]=a', 'fields[contacts][x]'],
    ['fields[nothings]=a', 'fields[nothings]'],
    ['fields[contacts]=password', 'fields[contacts]'],
    ['fields[contacts]=,', 'fields[contacts]'],
    ['sort=,,', 'sort'],
    ['sort=', 'sort'],
    ['sort=-', 'sort'],
    ['sort=--id', 'sort'],
    ['sort=id,id', 'sort'],
    ['sort=-id,id', 'sort'],
    ['sort=description', 'sort'],
    ['sort=opportunities', 'sort'],
    ['sort[x]=id', 'sort[x]'],
    ['include=a..b', 'include'],
    ['include=account..owner', 'include'],
    ['include=.', 'include'],
    ['include=account.', 'include'],
    ['include=,', 'include'],
    ['include=opportunities.account.contacts.owner', 'include'],
    ['include[x]=account', 'include[x]'],
    ['meta=title,', 'meta'],
    ['meta=nope', 'meta'],
    ['filter[id]=9223372036854775808', 'filter[id]'],
    ['filter[id]=-9223372036854775809', 'filter[id]'],
    ['filter[id]=1e5', 'filter[id]'],
    ['filter[id]=0x10', 'filter[id]'],
    ['filter[id]=1.0', 'filter[id]'],
    ['filter[id]=%201', 'filter[id]'],
    ['filter[id]=', 'filter[id]'],
    ['filter[id]=,', 'filter[id]'],
    ['filter[id]=1..', 'filter[id]'],
    ['filter[id]=..', 'filter[id]'],
    ['filter[id]=1..2..3', 'filter[id]'],
    ['filter[id][gt]=1,2', 'filter[id][gt]'],
    ['filter[id][exists]=maybe', 'filter[id][exists]'],
    ['filter[id][]=1', 'filter[id][]'],
    ['filter[id][GT]=1', 'filter[id][GT]'],
    ['filter[id]!=', 'filter[id]!'],
    ['filter[id]<>', 'filter[id]<>'],
    ['filter[account]=0', 'filter[account]'],
    ['filter[account]=-1', 'filter[account]'],
    ['filter[account]=9223372036854775808', 'filter[account]'],
    ['filter[account]=abc', 'filter[account]'],
    ['filter[account][gt]=1', 'filter[account][gt]'],
    ['filter[opportunities]=0', 'filter[opportunities]'],
    ['filter[birthday]=0000-01-01', 'filter[birthday]'],
    ['filter[birthday]=2023-02-29', 'filter[birthday]'],
    ['filter[birthday]=2024-13-01', 'filter[birthday]'],
    ['filter[birthday]=2024-1-1', 'filter[birthday]'],
    ['filter[birthday][contains]=19', 'filter[birthday][contains]'],
    ['filter[createdAt]=2024-01-01T00:00:00%2B24:00', 'filter[createdAt]'],
    ['filter[createdAt]=2024-01-01T00:00:00%2B23:60', 'filter[createdAt]'],
    ['filter[createdAt]=2024-01-01T00:00:00Z%2B01:00', 'filter[createdAt]'],
    ['filter[createdAt]=2024-01-01T24:00:00Z', 'filter[createdAt]'],
    ['filter[createdAt]=2024-01-01T00:00:00.1234567Z', 'filter[createdAt]'],
    ['filter[createdAt]=2024-01-01T00:00:00%2B0100', 'filter[createdAt]'],
    ['filter[createdAt]=2024-01-01T00:00:00+01:00', 'filter[createdAt]'],
    ['filter[createdAt][gt]=0001-01-01T00:00:00%2B01:00', 'filter[createdAt][gt]'],
    ['filter[createdAt][lt]=9999-12-31T23:59:59-00:01', 'filter[createdAt][lt]'],
    ['filter[gender]=MALE', 'filter[gender]'],
    ['filter[gender]=Female', 'filter[gender]'],
    ['filter[gender][contains]=a', 'filter[gender][contains]'],
    ['filter[lastName][gt]=a', 'filter[lastName][gt]'],
    ['filter[lastName]=' . ('x' x 300), 'filter[lastName]'],
    ['filter[description]=x', 'filter[description]'],
    ['filter[password]=x', 'filter[password]'],
    ['filter[nope]=1', 'filter[nope]'],
    ['filter[id]=%zz', 'filter[id]'],
    ['filter[id]=%', 'filter[id]'],
    ['filter[id]=%0', 'filter[id]'],
    ['filter[id]=1%', 'filter[id]'],
    ['filter[id]=%00', 'filter[id]'],
    ['filter[lastName]=a%00b', 'filter[lastName]'],
    ['filter[lastName]=%ff%fe', 'filter[lastName]'],
    ['filter[lastName]=%C0%80', 'filter[lastName]'],
    ['filter[lastName]=%ED%A0%80', 'filter[lastName]'],
    ['filter[lastName]=%F4%90%80%80', 'filter[lastName]'],
    ['filter[lastName]=%E2%82', 'filter[lastName]'],
    ['filter[id]=1&filter[id]=2', 'filter[id]'],
    ['filter[id]=1&filter%5Bid%5D=2', 'filter[id]'],
    ['sort=id&sort=-id', 'sort'],
    ['page[size]=1&page[size]=2', 'page[size]'],
    ['include=account&include=owner', 'include'],
    ['filter[lastName]=%27%20OR%201%3D1%20--&filter[lastName]=x', 'filter[lastName]'],
    ['sort=id;DROP%20TABLE%20x', 'sort'],
    ['sort=id%20DESC', 'sort'],
    ['sort=(select%201)', 'sort'],
    ['sort=lastName%22', 'sort'],
    ['include=account);--', 'include'],
    ['include=account%27', 'include'],
    ['fields[contacts]=firstName,(select%201)', 'fields[contacts]'],
    ['fields[contacts%22;--]=id', 'fields[contacts";--]'],
    ['filter[id%27%20OR%201=1--]=1', "filter[id' OR 1"],
    ['filter[id][eq%27]=1', "filter[id][eq']"],
    ['filter[id]=1%20OR%201=1', 'filter[id]'],
    ['filter[account]=1);DELETE%20FROM%20orocrm_contact;--', 'filter[account]'],
    ['filter[birthday]=2020-01-01%27%20OR%20%271%27=%271', 'filter[birthday]'],
    ['filter[gender]=male%27--', 'filter[gender]'],
    ['page[number]=1;DROP%20TABLE%20x', 'page[number]'],
);
for my $case (@bad_queries) {
    my ($q, $param) = @$case;
    bad("GET ?$q", 400, GET => "/api/contacts?$q", undef, undef, parameter => $param);
}
# the same parser serves single records
bad('GET /api/contacts/1?include=nope', 400, GET => '/api/contacts/1?include=nope', undef, undef, parameter => 'include');
bad('GET /api/contacts/1?fields[contacts]=%ff', 400, GET => '/api/contacts/1?fields[contacts]=%ff', undef, undef,
    parameter => 'fields[contacts]');

# every problem is reported together, and the name that does not decode is not echoed raw
my ($res, $doc) = bad('several bad parameters', 400, GET => '/api/contacts?sort=nope&page[size]=0&include=x&filter[y]=1');
is(scalar @{ $doc->{errors} }, 4, 'all four problems reported');
($res, $doc) = bad('an undecodable name', 400, GET => '/api/contacts?filter%ff=1');
unlike($res->{content}, qr/\xff/, 'the raw byte is not echoed');

# more parameters than allowed (within Apache's request line limit)
bad('250 parameters', 400, GET => '/api/contacts?' . join('&', map { "x$_=1" } 1 .. 250));
# Apache's own limits: request line of 8 KB (414, answered by Apache in HTML)
bad('a 60 KB value', 414, GET => '/api/contacts?filter[lastName]=' . ('a' x 60_000), undef, undef, html => 1);
bad('10,000 parameters', 414, GET => '/api/contacts?' . join('&', map { "p$_=1" } 1 .. 10_000), undef, undef, html => 1);
bad('a 100 KB query string', 414, GET => '/api/contacts?x=' . ('%41' x 34_000), undef, undef, html => 1);
bad('a 7 KB value', 400, GET => '/api/contacts?filter[lastName]=' . ('%C3%A9' x 1_100), undef, undef,
    parameter => 'filter[lastName]');

# parameters that are fine, or ignored as Oro does
for my $q ('', 'x=1', '_=123', '&&&', '=', '=x', 'a==b', 'XDEBUG_SESSION=1&sort=id', 'filter[id]=1&filter%5Bid%5D=1',
           'filter[id]=-0', 'filter[id]=9223372036854775807', 'filter[account]=9223372036854775807',
           'filter[opportunities]=9223372036854775807', 'page[number]=10000000&page[size]=100',
           'X-Include=totalCount', 'meta=title,title', 'include=account,account', 'fields[contacts]=') {
    ($res, $doc) = call(GET => "/api/contacts?$q");
    is($res->{status}, 200, "GET ?$q: 200") or diag substr($res->{content}, 0, 400);
    is(ref $doc->{data}, 'ARRAY', "GET ?$q: a list");
}
alive('ignored parameters');

# SQL injection in values: a correct (usually empty) result, never other rows or an error
my ($total) = sql('SELECT COUNT(*) FROM orocrm_contact');
for my $needle ("' OR 1=1 --", "' OR '1'='1", "x') OR ('1'='1", "%' --", '%', '_', '%%', '__', "' UNION SELECT id FROM oro_user --",
                "\"; DROP TABLE orocrm_contact; --", '*', '.*', '[a-z]', "\x{e9}\x{1F600}") {
    my $enc = $needle;
    utf8::encode($enc);
    $enc =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge;
    my $sql_needle = $needle;
    utf8::encode($sql_needle);
    for my $op ('', '[contains]', '[starts_with]', '[ends_with]', '[neq]', '[not_contains]') {
        ($res, $doc) = call(GET => "/api/contacts?filter[lastName]$op=$enc&page[size]=100", undef, {'X-Include' => 'totalCount'});
        my $name = "filter[lastName]$op=" . quotemeta($sql_needle);
        is($res->{status}, 200, "$name: 200") or diag substr($res->{content}, 0, 400);
        my $cond = $op eq '' || $op eq '[neq]' ? "last_name = " . quote_sql($sql_needle)
                 : $op =~ /contains/ ? "POSITION(LOWER(" . quote_sql($sql_needle) . ") IN LOWER(last_name)) > 0"
                 : "LOWER(" . ($op =~ /starts/ ? 'LEFT' : 'RIGHT') . "(last_name, CHAR_LENGTH(" . quote_sql($sql_needle) . "))) = LOWER(" . quote_sql($sql_needle) . ")";
        my ($matching) = sql("$NAMES SELECT COUNT(*) FROM orocrm_contact WHERE $cond");
        my $want = $op =~ /neq|not_/ ? $total - $matching : $matching;
        is($res->{headers}{'x-include-total-count'}, $want, "$name: exactly the matching records");
    }
}
for my $q ('filter[id]=1%20OR%201%3D1', 'filter[account]=1%20OR%201%3D1', 'filter[birthday]=1990-01-01%27%20OR%20%271%27%3D%271') {
    bad("injection $q", 400, GET => "/api/contacts?$q");
}
alive('injection');
is(snapshot(), $baseline, 'reads changed nothing');

# ------------------------------------------------------------------ paths
for my $p ('/api/contacts/0', '/api/contacts/-1', '/api/contacts/99999999999999999999', '/api/contacts/1abc',
           '/api/contacts/01', '/api/contacts/+1', '/api/contacts/1.0', '/api/contacts/%201', '/api/contacts/1;x',
           '/api/contacts/%2e%2e', '/api/contacts/1/', '/api/contacts/1/nope', '/api/contacts/1/relationships/nope',
           '/api/contacts/abc/account', '/api/contacts/0/relationships/account',
           '/api/contacts/999999999999999999', '/api/contacts/' . ('9' x 300), '/api/' . ('a' x 300),
           '/api/contacts/' . ('%C3%A9' x 700), '/api/contacts/%ff', '/api/Contacts', '/api/contacts%20', '/api/',
           '/api/contacts/1%20OR%201=1', "/api/contacts/1'") {
    bad("GET $p", 404, GET => $p);
    my ($segment) = $p =~ m{([^/]*)$};
    bad("PATCH $p", 404, PATCH => $p, {data => {type => 'contacts', id => $segment =~ /^\d+$/ ? $segment : '1',
                                                attributes => {jobTitle => 'x'}}})
        if $p =~ m{^/api/contacts/[^/]+$} && $p ne '/api/contacts/%2e%2e';
    bad("DELETE $p", 404, DELETE => $p) if $p =~ m{^/api/contacts/[^/]+$} && $p ne '/api/contacts/%2e%2e';
}
# a path over 4 KB: mod_oro maps /api itself, so no directory walk fails on it (AH00127)
for my $p ('/api/contacts/' . ('9' x 4096), '/api/' . ('a' x 4096)) {
    for my $method ('GET', 'PATCH', 'DELETE') {
        my $name = "$method a 4 KB path segment" . ($p =~ /contacts/ ? ' (id)' : ' (type)');
        my ($r, $d) = call($method, $p, $method eq 'PATCH' ? patch_doc_for(1) : undef);
        ok($r->{status} >= 400 && $r->{status} < 500, "$name: a 4xx");
        is($r->{status}, 404, "$name: 404");
        is_error_doc($r, $d, 404, $name);
        is(snapshot(), $baseline, "$name: the database is unchanged") if $method ne 'GET';
        alive($name);
    }
}
# Apache refuses an encoded NUL or slash in the path itself (404, its own page)
bad('GET /api/contacts/1%00', 404, GET => '/api/contacts/1%00', undef, undef, html => 1);
bad('GET /api/contacts/1%2F2', 404, GET => '/api/contacts/1%2F2', undef, undef, html => 1);
# double slashes are merged by Apache: the same resources
($res, $doc) = call(GET => '/api//contacts//1');
is($res->{status}, 200, 'double slashes: 200');
is($doc->{data}{id}, '1', 'double slashes: the same record');
($res, $doc) = call(GET => '//api/contacts?page[size]=2&sort=id');
is_deeply(ids($doc), [1, 2], 'a leading double slash: the same list');
bad('PUT /api/contacts', 405, PUT => '/api/contacts', '{}');
# a bulk delete without a usable filter deletes nothing
bad('DELETE /api/contacts', 400, DELETE => '/api/contacts');
bad('DELETE /api/contacts?filter[nope]=1', 400, DELETE => '/api/contacts?filter[nope]=1', undef, undef, parameter => 'filter[nope]');
bad('DELETE /api/contacts?filter[id]=abc', 400, DELETE => '/api/contacts?filter[id]=abc', undef, undef, parameter => 'filter[id]');
bad('POST /api/contacts/1', 405, POST => '/api/contacts/1', '{}');
bad('OPTIONS /api/contacts/1', 405, OPTIONS => '/api/contacts/1');
alive('paths');

# ------------------------------------------------------------------ bodies
my ($org, $owner) = split /\t/, (sql("SELECT organization_id, owner_id FROM orocrm_contact WHERE id = 1"))[0];
my ($account) = sql("SELECT MIN(id) FROM orocrm_account");
my %rels = (owner => {data => {type => 'users', id => "$owner"}},
            organization => {data => {type => 'organizations', id => "$org"}});
sub contact_doc {
    my (%attrs) = @_;
    return {data => {type => 'contacts', attributes => {firstName => 'Bad', lastName => 'Input-081', %attrs},
                     relationships => {%rels}}};
}
($res, $doc) = call(POST => '/api/contacts', contact_doc());
is($res->{status}, 201, 'our contact is created') or diag $res->{content};
$contact = $doc->{data}{id};
my $C = "/api/contacts/$contact";
$baseline = snapshot();
sub patch_doc {
    my ($attrs, $relationships) = @_;
    my $d = {type => 'contacts', id => "$contact"};
    $d->{attributes} = $attrs if $attrs;
    $d->{relationships} = $relationships if $relationships;
    return {data => $d};
}

my @shapes = (
    ['an empty body', ''],
    ['a blank body', " \r\n\t "],
    ['null', 'null'],
    ['[]', '[]'],
    ['{}', '{}'],
    ['a JSON string', '"data"'],
    ['a number', '42'],
    ['true', 'true'],
    ['data null', '{"data": null}'],
    ['data as an array', '{"data": []}'],
    ['data as an array of a resource', '{"data": [{"type": "contacts", "attributes": {}}]}'],
    ['data a string', '{"data": "contacts"}'],
    ['data without type', '{"data": {"attributes": {"firstName": "x"}}}'],
    ['type as a number', '{"data": {"type": 5, "attributes": {}}}'],
    ['type null', '{"data": {"type": null}}'],
    ['type as an object', '{"data": {"type": {"name": "contacts"}}}'],
    ['attributes as an array', '{"data": {"type": "contacts", "attributes": ["firstName", "x"]}}'],
    ['attributes as a string', '{"data": {"type": "contacts", "attributes": "firstName=x"}}'],
    ['relationships as an array', '{"data": {"type": "contacts", "relationships": []}}'],
    ['an unknown top-level member', '{"data": {"type": "contacts"}, "included": []}'],
    ['errors instead of data', '{"errors": []}'],
    ['an unknown resource member', '{"data": {"type": "contacts", "bogus": 1}}'],
    ['malformed JSON', '{"data": {"type": "contacts",}}'],
    ['single quotes', "{'data': {'type': 'contacts'}}"],
    ['comments', '{"data": /* x */ {"type": "contacts"}}'],
    ['trailing data', '{"data": {"type": "contacts"}} x'],
    ['two documents', '{"data": {"type": "contacts"}}{"data": {"type": "contacts"}}'],
    ['a byte order mark', "\xEF\xBB\xBF" . '{"data": {"type": "contacts"}}'],
    ['NaN', '{"data": {"type": "contacts", "attributes": {"firstName": NaN}}}'],
    ['unquoted names', '{data: {type: "contacts"}}'],
    ['a raw newline in a string', "{\"data\": {\"type\": \"contacts\", \"attributes\": {\"firstName\": \"a\nb\"}}}"],
    ['a cut document', '{"data": {"type": "contacts", "attributes": {"firstName": "x'],
    ['invalid UTF-8 in a string', "{\"data\": {\"type\": \"contacts\", \"attributes\": {\"firstName\": \"\xff\xfe\"}}}"],
    ['an overlong UTF-8 form', "{\"data\": {\"type\": \"contacts\", \"attributes\": {\"firstName\": \"\xC0\xAF\"}}}"],
    ['a UTF-8 surrogate', "{\"data\": {\"type\": \"contacts\", \"attributes\": {\"firstName\": \"\xED\xA0\x80\"}}}"],
    ['a raw NUL byte', "{\"data\": {\"type\": \"contacts\", \"attributes\": {\"firstName\": \"a\x00b\"}}}"],
    ['a 100-deep nested value', '{"data": {"type": "contacts", "attributes": {"description": ' . ('[' x 100) . (']' x 100) . '}}}'],
    ['a 100-deep nested object', '{"data": {"type": "contacts", "attributes": {"description": ' . ('{"a":' x 100) . '1' . ('}' x 100) . '}}}'],
    ['deep nesting in the document', ('{"data":' x 40) . 'null' . ('}' x 40)],
);
for my $s (@shapes) {
    bad("POST $s->[0]", 400, POST => '/api/contacts', $s->[1]);
    my $patch = $s->[1];
    bad("PATCH $s->[0]", 400, PATCH => $C, $patch);
}

# values: each one wrong in an otherwise valid document
my @values = (
    ['\u0000 in a string', '"a\u0000b"', 'firstName'],
    ['a lone high surrogate', '"\ud800"', 'firstName'],
    ['a lone low surrogate', '"x\udc00y"', 'firstName'],
    ['reversed surrogates', '"\udc00\ud800"', 'firstName'],
    ['a high surrogate before a letter', '"\ud800\u0041"', 'firstName'],
    ['an object for a string', '{"text": "x"}', 'firstName'],
    ['an array for a string', '["x"]', 'firstName'],
    ['a number for a string', '42', 'firstName'],
    ['a boolean for a string', 'true', 'firstName'],
    ['null for a required string', 'null', 'firstName'],
    ['an empty required string', '""', 'lastName'],
    ['10,000 characters', '"' . ('x' x 10_000) . '"', 'firstName'],
    ['256 multi-byte characters', '"' . ("\xC3\xA9" x 256) . '"', 'firstName'],
    ['51 characters for 50', '"' . ('x' x 51) . '"', 'namePrefix'],
    ['2023-02-29', '"2023-02-29"', 'birthday'],
    ['2024-13-01', '"2024-13-01"', 'birthday'],
    ['0000-01-01', '"0000-01-01"', 'birthday'],
    ['2024-02-30', '"2024-02-30"', 'birthday'],
    ['2024-1-1', '"2024-1-1"', 'birthday'],
    ['a date with a time', '"2024-01-01T00:00:00Z"', 'birthday'],
    ['a date as a number', '20240101', 'birthday'],
    ['a date with a trailing space', '"2024-01-01 "', 'birthday'],
    ['enum in another case', '"Female"', 'gender'],
    ['enum in capitals', '"MALE"', 'gender'],
    ['enum with a blank', '" male"', 'gender'],
    ['enum as a number', '1', 'gender'],
    ['an empty enum', '""', 'gender'],
    ['an email without @', '"nobody.example.com"', 'primaryEmail'],
    ['an email with two @', '"a@b@example.com"', 'primaryEmail'],
    ['an email without a domain dot', '"a@example"', 'primaryEmail'],
    ['an email with a blank', '"a b@example.com"', 'primaryEmail'],
    ['an email with SQL', q{"x' OR '1'='1"}, 'primaryEmail'],
    ['a phone with letters', '"call me"', 'primaryPhone'],
    ['a read-only datetime', '"2024-01-01T00:00:00+24:00"', 'createdAt'],
    ['a read-only datetime, bad offset', '"2024-01-01T00:00:00+01:60"', 'updatedAt'],
    ['the id as an attribute', '"5"', 'id'],
    ['a relation as an attribute', '"1"', 'account'],
    ['an unknown attribute', '1', "first\x{e9}Name"],
    ['a password-like unknown attribute', '"secret"', 'password'],
);
for my $v (@values) {
    my ($name, $json, $field) = @$v;
    my $fj = $JSON->encode($field);
    my @base = grep { $_->[0] ne $field } (['firstName', '"Bad"'], ['lastName', '"Input-081"']);
    my $attrs = join ', ', (map { "\"$_->[0]\": $_->[1]" } @base), "$fj: $json";
    my $body = qq({"data": {"type": "contacts", "attributes": {$attrs}, "relationships": ) . $JSON->encode(\%rels) . '}}';
    bad("POST $name", 400, POST => '/api/contacts', $body, undef, pointer => "/data/attributes/$field");
    my $patch = qq({"data": {"type": "contacts", "id": "$contact", "attributes": {$fj: $json}}});
    bad("PATCH $name", 400, PATCH => $C, $patch, undef, pointer => "/data/attributes/$field");
}

# duplicate members: refused rather than the last one silently winning
for my $dup (['a duplicate attribute', qq({"data": {"type": "contacts", "id": "$contact", "attributes": {"jobTitle": "A", "jobTitle": "B"}}}), '/data/attributes/jobTitle'],
             ['a duplicate escaped attribute', qq({"data": {"type": "contacts", "id": "$contact", "attributes": {"jobTitle": "A", "job\\u0054itle": "B"}}}), '/data/attributes/jobTitle'],
             ['a duplicate type', qq({"data": {"type": "contacts", "type": "accounts", "id": "$contact"}}), '/data/type'],
             ['a duplicate data', qq({"data": {"type": "contacts", "id": "$contact"}, "data": null}), '/data'],
             ['a duplicate id', qq({"data": {"type": "contacts", "id": "$contact", "id": "1"}}), '/data/id']) {
    bad("PATCH $dup->[0]", 400, PATCH => $C, $dup->[1], undef, pointer => $dup->[2]);
}
# the same name in different objects is fine
($res, $doc) = call(PATCH => $C, qq({"data": {"type": "contacts", "id": "$contact", "attributes": {"jobTitle": "Same"}, "meta": {"jobTitle": 1}}}));
is($res->{status}, 200, 'the same name in different objects is no duplicate') or diag $res->{content};
# a valid surrogate pair is one character, stored as such
($res, $doc) = call(PATCH => $C, qq({"data": {"type": "contacts", "id": "$contact", "attributes": {"jobTitle": "a\\ud83d\\ude00b"}}}));
is($res->{status}, 200, 'a surrogate pair is accepted');
is($doc->{data}{attributes}{jobTitle}, "a\x{1F600}b", 'and stored as the character');
$baseline = snapshot();

# numbers: integer fields (products.inventory), decimals (products.price), booleans
my ($sku_count) = sql('SELECT COUNT(*) FROM oro_product');
sub product_body {
    my ($member, $json) = @_;
    return qq({"data": {"type": "products", "attributes": {"sku": "BAD-081", "name": "x", "status": "enabled", )
         . qq("inventory": 1, $member: $json}, "relationships": {"organization": {"data": {"type": "organizations", "id": "$org"}}}}});
}
my ($status_values) = grep { $_->{id} eq 'products' } @{ (json_of(http(GET => '/api/metadata')) || {})->{data} || [] };
my $product_status = ($status_values->{attributes}{fields}{status}{values} || ['enabled'])->[0];
for my $n (['1e400', 'inventory'], ['-1e400', 'inventory'], ['99999999999999999999', 'inventory'],
           ['-99999999999999999999', 'inventory'], ['18446744073709551616', 'inventory'], ['2147483648', 'inventory'],
           ['-2147483649', 'inventory'], ['9223372036854775807', 'inventory'], ['-9223372036854775808', 'inventory'],
           ['1.5', 'inventory'], ['1e-5', 'inventory'], ['1e300', 'inventory'], ['"5"', 'inventory'], ['true', 'inventory'],
           ['null', 'inventory'], ['{}', 'inventory'], ['[1]', 'inventory'],
           ['1e400', 'price'], ['"1e5"', 'price'], ['"NaN"', 'price'], ['"Infinity"', 'price'], ['"12.345678"', 'price'],
           ['"1,5"', 'price'], ['"-"', 'price'], ['""', 'price'], ['"0x10"', 'price'], ['" 1"', 'price'],
           ['99999999999999999999999', 'price'], ['-99999999999999999999999', 'price'], ['"9999999999999999.99"', 'price'],
           ['true', 'price'], ['{"amount": 1}', 'price']) {
    my ($json, $field) = @$n;
    my $body = product_body(qq("$field"), $json);
    $body =~ s/"status": "enabled"/"status": "$product_status"/;
    $body =~ s/"inventory": 1, // if $field eq 'inventory';
    bad("POST products $field: $json", 400, POST => '/api/products', $body, undef, pointer => "/data/attributes/$field");
}
for my $b ('"true"', '"false"', '1', '0', '"yes"', 'null', '[]') {
    bad("POST organizations enabled: $b", 400, POST => '/api/organizations',
        qq({"data": {"type": "organizations", "attributes": {"name": "Bad Input 081", "enabled": $b}}}), undef,
        pointer => '/data/attributes/enabled');
}
is((sql('SELECT COUNT(*) FROM oro_product'))[0], $sku_count, 'no product was created');

# relationships
my @many = map { {type => 'opportunities', id => "$_"} } 1 .. 2000;
my @rel_cases = (
    ['a numeric id', {account => {data => {type => 'accounts', id => 1}}}, '/data/relationships/account/data/id'],
    ['a type mismatch', {account => {data => {type => 'users', id => "$account"}}}, '/data/relationships/account/data/type'],
    ['a type in capitals', {account => {data => {type => 'Accounts', id => "$account"}}}, '/data/relationships/account/data/type'],
    ['no type', {account => {data => {id => "$account"}}}, '/data/relationships/account/data/type'],
    ['no id', {account => {data => {type => 'accounts'}}}, '/data/relationships/account/data/id'],
    ['an array for a to-one', {account => {data => [{type => 'accounts', id => "$account"}]}}, '/data/relationships/account/data'],
    ['an id for a to-one', {account => {data => "$account"}}, '/data/relationships/account/data'],
    ['no data member', {account => {id => "$account"}}, '/data/relationships/account'],
    ['a relationship that is not an object', {account => "$account"}, '/data/relationships/account'],
    ['an extra member', {account => {data => {type => 'accounts', id => "$account"}, bogus => 1}}, '/data/relationships/account/bogus'],
    ['id 0', {account => {data => {type => 'accounts', id => '0'}}}, '/data/relationships/account/data/id'],
    ['id -1', {account => {data => {type => 'accounts', id => '-1'}}}, '/data/relationships/account/data/id'],
    ['id 01', {account => {data => {type => 'accounts', id => '01'}}}, '/data/relationships/account/data/id'],
    ['id 1e3', {account => {data => {type => 'accounts', id => '1e3'}}}, '/data/relationships/account/data/id'],
    ['id with a blank', {account => {data => {type => 'accounts', id => " $account"}}}, '/data/relationships/account/data/id'],
    ['id beyond 64 bits', {account => {data => {type => 'accounts', id => '9223372036854775808'}}}, '/data/relationships/account/data/id'],
    ['id with SQL', {account => {data => {type => 'accounts', id => "1 OR 1=1"}}}, '/data/relationships/account/data/id'],
    ['a record that does not exist', {account => {data => {type => 'accounts', id => '999999999'}}}, '/data/relationships/account/data'],
    ['the largest id, not existing', {account => {data => {type => 'accounts', id => '9223372036854775807'}}}, '/data/relationships/account/data'],
    ['null for a required relation', {owner => {data => undef}}, '/data/relationships/owner/data'],
    ['an object for a to-many', {opportunities => {data => {type => 'opportunities', id => '1'}}}, '/data/relationships/opportunities/data'],
    ['null for a to-many', {opportunities => {data => undef}}, '/data/relationships/opportunities/data'],
    ['a to-many of 2,000 ids', {opportunities => {data => \@many}}, '/data/relationships/opportunities/data'],
    ['a to-many naming one twice', {opportunities => {data => [{type => 'opportunities', id => '1'}, {type => 'opportunities', id => '1'}]}},
     '/data/relationships/opportunities/data/1'],
    ['a to-many with a missing record', {opportunities => {data => [{type => 'opportunities', id => '1'}, {type => 'opportunities', id => '999999999'}]}},
     '/data/relationships/opportunities/data'],
    ['a to-many of the wrong type', {opportunities => {data => [{type => 'contacts', id => '1'}]}}, '/data/relationships/opportunities/data/0/type'],
    ['an unknown relationship', {nope => {data => undef}}, '/data/relationships/nope'],
    ['an attribute as a relationship', {firstName => {data => undef}}, '/data/relationships/firstName'],
);
for my $r (@rel_cases) {
    my ($name, $rel, $pointer) = @$r;
    my $post = contact_doc();
    $post->{data}{relationships} = {%rels, %$rel};
    bad("POST relationship: $name", 400, POST => '/api/contacts', $post, undef, pointer => $pointer);
    bad("PATCH relationship: $name", 400, PATCH => $C, patch_doc(undef, $rel), undef, pointer => $pointer);
}
# a to-many whose members must keep their owner cannot lose them (403), and nothing moves
my ($order) = sql('SELECT MIN(order_id) FROM oro_order_line_item');
my @items = sql("SELECT id FROM oro_order_line_item WHERE order_id = $order ORDER BY id");
bad('PATCH order lineItems []', 403, PATCH => "/api/orders/$order",
    {data => {type => 'orders', id => "$order", relationships => {lineItems => {data => []}}}}, undef,
    pointer => '/data/relationships/lineItems/data');
bad('PATCH order lineItems [one]', 403, PATCH => "/api/orders/$order",
    {data => {type => 'orders', id => "$order", relationships => {lineItems => {data => [{type => 'orderlineitems', id => $items[0]}]}}}});
is_deeply([sql("SELECT id FROM oro_order_line_item WHERE order_id = $order ORDER BY id")], \@items, 'the line items stay');

# id and type of the primary data on PATCH
for my $c (['a numeric id', {type => 'contacts', id => $contact + 0}, 400, '/data/id'],
           ['no id', {type => 'contacts'}, 400, '/data/id'],
           ['id null', {type => 'contacts', id => undef}, 400, '/data/id'],
           ['another id', {type => 'contacts', id => '1'}, 409, '/data/id'],
           ['an id with a blank', {type => 'contacts', id => " $contact"}, 409, '/data/id'],
           ['a type in capitals', {type => 'Contacts', id => "$contact"}, 409, '/data/type'],
           ['another type', {type => 'accounts', id => "$contact"}, 409, '/data/type']) {
    bad("PATCH $c->[0]", $c->[2], PATCH => $C, {data => $c->[1]}, undef, pointer => $c->[3]);
}
bad('POST a client id', 403, POST => '/api/contacts', {data => {%{ contact_doc()->{data} }, id => '123456'}}, undef, pointer => '/data/id');

# many errors at once: thousands of unknown attributes
bad('5,000 unknown attributes', 400, PATCH => $C, patch_doc({map { ("bogus$_" => $_) } 1 .. 5000}));

# sizes: 413 over 4 MiB; a long valid text is stored exactly
bad('a 5 MB body', 413, POST => '/api/contacts', '{"data": {"type": "contacts", "attributes": {"description": "' . ('x' x (5 * 1024 * 1024)) . '"}}}');
bad('a 5 MB PATCH', 413, PATCH => $C, ' ' x (5 * 1024 * 1024));
my $long = ("\x{e9}" x 5000) . ("\x{1F600}" x 5000);
($res, $doc) = call(PATCH => $C, patch_doc({description => $long}));
is($res->{status}, 200, '10,000 characters in a text field') or diag substr($res->{content}, 0, 300);
is($doc->{data}{attributes}{description}, $long, 'come back exactly');
($res, $doc) = call(GET => $C);
is($doc->{data}{attributes}{description}, $long, 'and are stored exactly');
for my $d ('0001-01-01', '9999-12-31', '2024-02-29') {
    ($res, $doc) = call(PATCH => $C, patch_doc({birthday => $d}));
    is($res->{status}, 200, "birthday $d");
    is($doc->{data}{attributes}{birthday}, $d, "birthday $d stored as given");
}
$baseline = snapshot();

# ------------------------------------------------------------------ headers
bad('POST without Content-Type', 415, POST => '/api/contacts', $JSON->encode(contact_doc()), {'Content-Type' => undef});
bad('PATCH without Content-Type', 415, PATCH => $C, $JSON->encode(patch_doc({jobTitle => 'x'})), {'Content-Type' => undef});
for my $ct ('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
            "$JSONAPI; charset=latin1", "$JSONAPI; foo=bar", "$JSONAPI; ext=x; foo=bar", 'application/vnd.api+jsonx',
            'application/vnd.api', '*/*', 'application/*', ';', ' ', "$JSONAPI,text/plain") {
    bad("POST Content-Type: $ct", 415, POST => '/api/contacts', $JSON->encode(contact_doc()), {'Content-Type' => $ct});
}
for my $ct ("$JSONAPI;ext=x", "$JSONAPI; ext=\"https://example.com/ext\"", "$JSONAPI; profile=\"https://example.com/p\"",
            'application/json', "$JSONAPI; charset=utf-8", 'APPLICATION/VND.API+JSON') {
    ($res, $doc) = call(PATCH => $C, patch_doc({jobTitle => "ct $ct"}), {'Content-Type' => $ct});
    is($res->{status}, 200, "Content-Type: $ct is accepted") or diag $res->{content};
}
$baseline = snapshot();

# Accept: 406 only when every JSON:API media type listed carries other parameters than
# ext/profile and nothing else acceptable is listed
for my $a (["$JSONAPI; foo=bar", 406], ["$JSONAPI; charset=utf-8", 406], ["$JSONAPI; foo=1, $JSONAPI; bar=2", 406],
           ["$JSONAPI; ext=x; foo=bar", 406], ["$JSONAPI;foo=1, text/html", 406], ['text/html', 406], ['image/png', 406],
           ["$JSONAPI;ext=x", 200], ["$JSONAPI; profile=\"https://example.com/p\"", 200],
           ["$JSONAPI; foo=1, $JSONAPI", 200], ["$JSONAPI; foo=1, application/json", 200], ['application/json', 200],
           ["$JSONAPI; foo=1, */*", 200], ['text/html, */*;q=0.1', 200], ['application/*', 200], ['*/*', 200],
           ['APPLICATION/VND.API+JSON', 200], ["$JSONAPI; q=0.5", 200], ['', 200]) {
    my ($accept, $want) = @$a;
    ($res, $doc) = call(GET => '/api/contacts/1', undef, {Accept => $accept});
    is($res->{status}, $want, "Accept: $accept is $want");
    is_error_doc($res, $doc, 406, "Accept: $accept") if $want == 406;
}
# a 406 write changes nothing
bad('PATCH with Accept: text/html', 406, PATCH => $C, patch_doc({jobTitle => 'never'}), {Accept => 'text/html'});
bad('POST with Accept: text/html', 406, POST => '/api/contacts', contact_doc(), {Accept => 'text/html'});

($res) = call(GET => $C);
my $etag = $res->{headers}{etag};
for my $im ('garbage', '"', '""', 'W/"x"', '*garbage', ',,,', "\"$contact\"", 'x' x 8000) {
    bad("PATCH If-Match: " . substr($im, 0, 20), 412, PATCH => $C, patch_doc({jobTitle => 'never'}), {'If-Match' => $im});
    bad("DELETE If-Match: " . substr($im, 0, 20), 412, DELETE => $C, undef, {'If-Match' => $im});
}
for my $inm ('garbage', '"', '""', 'x' x 8000, "$etag garbage") {
    ($res, $doc) = call(GET => $C, undef, {'If-None-Match' => $inm});
    is($res->{status}, 200, 'If-None-Match: ' . substr($inm, 0, 20) . ' is 200');
    is($doc->{data}{id}, $contact, 'with the record');
}
for my $xi ('garbage', ';;;,,,', 'totalCount;totalCount', 'x' x 8000, 'noHateoas, totalCount, bogus', "total\tCount") {
    ($res, $doc) = call(GET => '/api/contacts?page[size]=1', undef, {'X-Include' => $xi});
    is($res->{status}, 200, 'X-Include: ' . substr($xi, 0, 20) . ' is 200');
    is(ref $doc->{data}, 'ARRAY', 'with the list');
}
# Apache's header limit (8 KB a field): 400 from Apache itself
bad('a 10 KB Authorization header', 400, GET => '/api/contacts/1', undef, {Authorization => 'Bearer ' . ('x' x 10_240)}, html => 1);
bad('a 10 KB Authorization header on PATCH', 400, PATCH => $C, patch_doc({jobTitle => 'never'}),
    {Authorization => 'Basic ' . ('x' x 10_240)}, html => 1);
($res, $doc) = call(GET => '/api/contacts/1', undef, {Authorization => 'Bearer ' . ('x' x 4000)});
is($res->{status}, 401, 'a 4 KB Authorization header is refused (t/integration/140-auth-wsse.t)');
is($doc && $doc->{errors}[0]{status}, '401', 'with a JSON:API error');
alive('headers');

# ------------------------------------------------------------------ raw sockets: lying framing
sub raw {
    my ($bytes, %o) = @_;
    my $port = $ENV{ORO_HTTP_PORT} || 8080;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 5)
        or return (undef, '', 0);
    my $t0 = time;
    binmode $s;
    my $off = 0;
    while ($off < length $bytes) {
        my $n = syswrite($s, $bytes, 65536, $off);
        last unless defined $n;
        $off += $n;
    }
    shutdown($s, 1) if $o{half_close};
    my $buf = '';
    my $limit = $o{timeout} || 8;
    while (time - $t0 < $limit) {
        my $rin = '';
        vec($rin, fileno($s), 1) = 1;
        my $n = select(my $r = $rin, undef, undef, $limit - (time - $t0));
        last unless $n && $n > 0;
        my $got = sysread($s, my $chunk, 65536);
        last unless $got;
        $buf .= $chunk;
        last if $o{first} && $buf =~ /\r\n\r\n/ && _complete($buf);
    }
    close $s;
    my ($status) = $buf =~ m{^HTTP/1\.\d (\d{3})};
    return ($status, $buf, time - $t0);
}
sub _complete {
    my ($buf) = @_;
    my ($head, $body) = split /\r\n\r\n/, $buf, 2;
    my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
    return defined $len && length($body) >= $len;
}
sub raw_error_doc {
    my ($buf, $status, $name) = @_;
    my ($head, $body) = split /\r\n\r\n/, $buf, 2;
    my $doc = eval { decode_json($body) };
    like($head // '', qr{^Content-Type: application/vnd\.api\+json}mi, "$name: JSON:API media type");
    ok(ref $doc eq 'HASH' && ref $doc->{errors} eq 'ARRAY' && ($doc->{errors}[0]{status} // '') eq $status,
       "$name: a JSON:API error document") or diag substr($buf, 0, 400);
}
# the request lines of admin's WSSE credentials (a fresh nonce each time)
sub wsse_lines {
    my %h = wsse_headers('admin', admin_apikey());
    return join('', map { "$_: $h{$_}\r\n" } sort keys %h);
}
sub post_head { "POST /api/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: $JSONAPI\r\nContent-Type: $JSONAPI\r\n" . wsse_lines() }
my $valid = $JSON->encode(contact_doc());

# Content-Length shorter than the body: the prefix is the document (cut, so invalid)
my ($st, $buf, $took) = raw(post_head() . 'Content-Length: ' . (length($valid) - 10) . "\r\nConnection: close\r\n\r\n$valid",
                            first => 1);
is($st, 400, 'Content-Length shorter than sent: 400');
raw_error_doc($buf, 400, 'Content-Length shorter than sent');
ok($took < 5, 'Content-Length shorter than sent: answered at once');
is(snapshot(), $baseline, 'Content-Length shorter than sent: the database is unchanged');
alive('Content-Length shorter');

# Content-Length longer than the body, then the client stops sending (half-close)
($st, $buf, $took) = raw(post_head() . 'Content-Length: ' . (length($valid) + 100) . "\r\n\r\n$valid", half_close => 1);
is($st, 400, 'Content-Length longer than sent, then EOF: 400');
ok($took < 5, 'Content-Length longer than sent, then EOF: no hang');
raw_error_doc($buf, 400, 'Content-Length longer than sent, then EOF');
is(snapshot(), $baseline, 'Content-Length longer than sent: the database is unchanged');
alive('Content-Length longer, EOF');

# Content-Length longer than the body, client keeps the connection open: the server waits
# for the rest (HTTP gives it no other choice) and must not answer with a success
($st, $buf, $took) = raw(post_head() . 'Content-Length: ' . (length($valid) + 100) . "\r\n\r\n$valid", timeout => 3);
ok(!defined $st || $st >= 400, 'Content-Length longer than sent, connection open: no success') or diag $buf;
is(snapshot(), $baseline, 'Content-Length longer than sent, connection open: the database is unchanged');
alive('Content-Length longer, open');

# PATCH with a lying Content-Length: the record is unchanged
my $patch_body = $JSON->encode(patch_doc({jobTitle => 'Lying'}));
($st, $buf) = raw("PATCH $C HTTP/1.1\r\nHost: 127.0.0.1\r\n" . wsse_lines() . "Content-Type: $JSONAPI\r\nContent-Length: "
                  . (length($patch_body) - 5) . "\r\nConnection: close\r\n\r\n$patch_body", first => 1);
is($st, 400, 'PATCH with a short Content-Length: 400');
($st, $buf) = raw("PATCH $C HTTP/1.1\r\nHost: 127.0.0.1\r\n" . wsse_lines() . "Content-Type: $JSONAPI\r\nContent-Length: "
                  . (length($patch_body) + 5) . "\r\n\r\n$patch_body", half_close => 1);
is($st, 400, 'PATCH with a long Content-Length, then EOF: 400');
is(snapshot(), $baseline, 'lying PATCHes: the record is unchanged');

# framing Apache refuses itself
for my $f (["two different Content-Lengths", "Content-Length: 10\r\nContent-Length: 20\r\n\r\n" . ('x' x 20)],
           ['a negative Content-Length', "Content-Length: -1\r\n\r\n{}"],
           ['a non-numeric Content-Length', "Content-Length: abc\r\n\r\n{}"],
           ['a huge Content-Length', "Content-Length: 99999999999999999999999\r\n\r\n{}"],
           ['a bad chunk size', "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"],
           ['chunked and a Content-Length', "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n"],
           ['an unknown transfer coding', "Transfer-Encoding: gzip\r\n\r\n{}"]) {
    ($st, $buf, $took) = raw(post_head() . "Connection: close\r\n" . $f->[1], first => 1, timeout => 5);
    ok(defined $st && $st >= 400 && $st < 500, "$f->[0]: a 4xx") or diag substr($buf, 0, 300);
    ok($took < 5, "$f->[0]: no hang");
    is(snapshot(), $baseline, "$f->[0]: the database is unchanged");
    alive($f->[0]);
}
# a chunked body over 4 MiB: 413
my $chunk = 'x' x 65536;
my $chunked = post_head() . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            . join('', map { sprintf("%x\r\n%s\r\n", length $chunk, $chunk) } 1 .. 80) . "0\r\n\r\n";
($st, $buf, $took) = raw($chunked, first => 1);
is($st, 413, 'a 5 MB chunked body: 413');
raw_error_doc($buf, 413, 'a 5 MB chunked body');
# a valid chunked document is accepted (and then removed)
my $doc_text = $JSON->encode(contact_doc(firstName => 'Chunked'));
($st, $buf) = raw(post_head() . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                  . join('', map { sprintf("%x\r\n%s\r\n", length $_, $_) } unpack('(a7)*', $doc_text)) . "0\r\n\r\n", first => 1);
is($st, 201, 'a valid chunked document: 201') or diag substr($buf, 0, 400);
my ($chunked_id) = $buf =~ m{Location: \S+/api/contacts/(\d+)}i;
if ($chunked_id) {
    ($res) = call(DELETE => "/api/contacts/$chunked_id");
    is($res->{status}, 204, 'the chunked contact is removed');
}
is(snapshot(), $baseline, 'raw sockets: the database is as before');
alive('raw sockets');

# ------------------------------------------------------------------ the end
($res) = call(DELETE => $C);
is($res->{status}, 204, 'our contact is deleted');
$contact = undef;
is((sql("SELECT COUNT(*) FROM orocrm_contact WHERE last_name IN ('Input-081')"))[0], 0, 'nothing of ours is left');
alive('the end');

done_testing;
