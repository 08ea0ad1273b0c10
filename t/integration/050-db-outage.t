# Killing the database makes /api/system/status answer 503 at once, and it recovers
# to 200 without restarting httpd when the database is back.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use OroTest;

my $root = root_dir();
is(http(GET => '/api/system/status')->{status}, 200, 'healthy before the outage');
my $httpd_pid = slurp(var_dir() . '/run/httpd.pid');
$httpd_pid =~ s/\s//g;

is(http(GET => '/api/contacts/1', {headers => {Accept => 'application/vnd.api+json'}})->{status}, 200,
   'the API answers before the outage');
my ($rc, $out, $err) = run_cmd("$root/build/stack", 'db-kill');
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
# the API (with its per-connection prepared statements) recovers too
my $api = sub { http(GET => '/api/contacts/1', {headers => {Accept => 'application/vnd.api+json'}})->{status} };
ok(wait_until(30, sub { $api->() == 200 }), 'the API answers again');
my @api_codes = map { $api->() } 1 .. 40;
is_deeply([grep { $_ != 200 } @api_codes], [], '40 API requests in a row answer 200');
my $now_pid = slurp(var_dir() . '/run/httpd.pid');
$now_pid =~ s/\s//g;
is($now_pid, $httpd_pid, 'httpd was not restarted');
ok(wait_until(30, sub { my $d = json_of(http(GET => '/api/system/status')); $d && ($d->{consumers}{alive} // 0) >= 2 }),
   'the consumers reconnected and beat again');

done_testing;
