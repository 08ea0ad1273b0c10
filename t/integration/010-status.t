# /api/system/status: health, versions, transport, consumers; method and route errors.
use strict;
use warnings;
use Test::More;
use OroTest;

my $res = http(GET => '/api/system/status');
is($res->{status}, 200, 'status answers 200 on a healthy stack') or diag $res->{content};
like($res->{headers}{'content-type'}, qr{^application/json}, 'as JSON');
is($res->{headers}{'cache-control'}, 'no-store', 'never cached');
my $doc = json_of($res);
ok($doc, 'body is valid JSON') or diag $res->{content};
is($doc->{database}{reachable}, JSON::PP::true, 'database reachable');
is($doc->{database}{schemaInstalled}, JSON::PP::true, 'schema installed');
is($doc->{database}{driver}, $ENV{DB} || 'pgsql', 'driver of this leg');
like($doc->{database}{version}, ($ENV{DB} || 'pgsql') eq 'mysql' ? qr/MariaDB/i : qr/PostgreSQL/,
     'server version reported');
is($doc->{queue}{transport}, $ENV{MQ} || 'dbal', 'transport of this leg');
like($doc->{versions}{modOro}, qr/^\d+\.\d+\.\d+$/, 'mod_oro version');
like($doc->{versions}{httpd}, qr{Apache/2\.4}, 'httpd version');
like($doc->{versions}{apr}, qr/^1\./, 'APR version');

# the consumers write a heartbeat every few seconds after start
my $alive = wait_until(20, sub {
    my $d = json_of(http(GET => '/api/system/status'));
    return $d && $d->{consumers}{alive} && $d->{consumers}{alive} >= 2 ? $d : undef;
});
ok($alive, 'both consumer workers are alive') or diag explain json_of(http(GET => '/api/system/status'));
is($alive->{status}, 'ok', 'status ok with consumers alive') if $alive;
ok(!exists $alive->{reason}, 'no reason when healthy') if $alive;

$res = http(HEAD => '/api/system/status');
is($res->{status}, 200, 'HEAD answers too');
ok(!defined $res->{content} || $res->{content} eq '', 'HEAD has no body');

for my $method (qw(POST PUT DELETE PATCH)) {
    $res = http($method => '/api/system/status', {content => '{}'});
    is($res->{status}, 405, "$method is 405");
    is($res->{headers}{allow}, 'GET, HEAD', "$method names the allowed methods");
    my $err = json_of($res);
    is($err->{errors}[0]{status}, '405', "$method error object");
}

$res = http(GET => '/api/no/such/thing');
is($res->{status}, 404, 'unknown API path is 404');
like($res->{headers}{'content-type'}, qr{^application/vnd\.api\+json}, 'as a JSON:API document');
my $err = json_of($res);
is($err->{errors}[0]{status}, '404', 'error object status');
like($err->{errors}[0]{detail}, qr{/api/no/such/thing}, 'detail names the path');

$res = http(GET => '/api/system/status%00x');
ok($res->{status} == 404 || $res->{status} == 400, 'NUL in the path is refused, not a crash')
    or diag $res->{status};
$res = http(GET => '/api/' . ('a' x 7000));
ok($res->{status} >= 400 && $res->{status} < 500, 'a very long path is a 4xx') or diag $res->{status};
$res = http(GET => '/api/system/status?' . join('&', map { "x$_=1" } 1 .. 500));
is($res->{status}, 200, 'query parameters are ignored by status');

done_testing;
