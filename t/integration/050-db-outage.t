# Killing the database makes /api/system/status answer 503 at once, and it recovers
# to 200 without restarting httpd when the database is back. Every pooled connection
# of every httpd process then serves its next request: none answers a 503 because
# the server closed it while it sat idle in the pool.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Time::HiRes qw(time);
use OroTest;

my $root = root_dir();
is(http(GET => '/api/system/status')->{status}, 200, 'healthy before the outage');
my $httpd_pid = slurp(var_dir() . '/run/httpd.pid');
$httpd_pid =~ s/\s//g;

is(http(GET => '/api/contacts/1', {headers => {Accept => 'application/vnd.api+json'}})->{status}, 200,
   'the API answers before the outage');
# A bearer token for wrk (a WSSE nonce is accepted once), and pools filled in every
# process by concurrent requests: 16 connections at once hold several each.
my ($rc, $out, $err) = oroctl('oauth:client:create', 'outage', '--grant', 'client_credentials',
                              '--user', 'admin');
my $client = decode_json($out);
my $token = json_of(http(POST => '/oauth2-token', {auth => 'none',
    headers => {'Content-Type' => 'application/x-www-form-urlencoded'},
    content => "grant_type=client_credentials&client_id=$client->{client_id}"
               . "&client_secret=$client->{client_secret}"}))->{access_token};
ok($token, 'a bearer token for the concurrent requests');
# wrk over 16 connections for a second: (requests, non-2xx answers)
sub burst {
    my ($rc2, $out2, $err2) = run_cmd('wrk', '-t2', '-c16', '-d1s', '-H', "Authorization: Bearer $token",
                                      '-H', 'Accept: application/vnd.api+json',
                                      base_url() . '/api/contacts/1');
    my ($n) = $out2 =~ /(\d+) requests in/;
    my ($bad) = $out2 =~ /Non-2xx or 3xx responses: (\d+)/;
    diag "$out2$err2" if $rc2 != 0 || !$n;
    return ($n // 0, $bad // 0);
}
my ($n, $bad) = burst();
ok($n > 16, "concurrent requests before the outage ($n)");
is($bad, 0, 'all of them answered 2xx');

($rc, $out, $err) = run_cmd("$root/build/stack", 'db-kill');
is($rc, 0, 'database killed') or diag "$out$err";

# The first request after the kill already answers 503 (a bounded wait, not a
# timing assertion: a hanging status would fail here after the client timeout).
my $res = http(GET => '/api/system/status');
is($res->{status}, 503, 'status is 503 while the database is down');
my $doc = json_of($res);
is($doc->{status}, 'unavailable', 'status says unavailable');
is($doc->{database}{reachable}, JSON::PP::false, 'database unreachable');
like($doc->{reason}, qr/database/, 'the reason names the database') or diag $doc->{reason};
is($res->{headers}{'retry-after'}, '5', 'Retry-After is set');
for (1 .. 5) {
    is(http(GET => '/api/system/status')->{status}, 503, "still 503 (request $_)");
}
is(http(GET => '/api/contacts/1', {headers => {Accept => 'application/vnd.api+json'}})->{status}, 503,
   'the API answers 503 while the database is down');

($rc, $out, $err) = run_cmd("$root/build/stack", 'db-start');
is($rc, 0, 'database started again') or diag "$out$err";
ok(wait_until(30, sub { http(GET => '/api/system/status')->{status} == 200 }),
   'status recovers to 200');
# every pooled connection of every httpd process has been replaced: many in a row
my @codes = map { http(GET => '/api/system/status')->{status} } 1 .. 40;
is_deeply([grep { $_ != 200 } @codes], [], '40 requests in a row answer 200');
# the API (with its per-connection prepared statements) recovers too: at once, on
# every pooled connection (each of them was closed by the restart)
my $api = sub { http(GET => '/api/contacts/1', {headers => {Accept => 'application/vnd.api+json'}})->{status} };
is($api->(), 200, 'the API answers at once');
($n, $bad) = burst();
ok($n > 16, "concurrent requests after the outage ($n)");
is($bad, 0, 'all of them answered 2xx: no pooled connection failed a request');
my @api_codes = map { $api->() } 1 .. 40;
is_deeply([grep { $_ != 200 } @api_codes], [], '40 API requests in a row answer 200');
my $now_pid = slurp(var_dir() . '/run/httpd.pid');
$now_pid =~ s/\s//g;
is($now_pid, $httpd_pid, 'httpd was not restarted');
ok(wait_until(30, sub { my $d = json_of(http(GET => '/api/system/status')); $d && ($d->{consumers}{alive} // 0) >= 2 }),
   'the consumers reconnected and beat again');

done_testing;
