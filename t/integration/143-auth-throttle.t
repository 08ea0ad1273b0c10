# Login throttling per client address: OroLoginMaxAttemptsPerAddress failed logins
# from one address (whatever the usernames) make every further login from it 429 with
# Retry-After, even with the right password; API credentials are not affected. The
# counters live in the shared cache: a graceful restart clears them (done at the end,
# so the tests after this one can log in).
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;

my $password = slurp(var_dir() . '/admin-password');
$password =~ s/\s+$//;
sub login {
    my ($user, $pass) = @_;
    return http('POST', '/login', {auth => 'none', headers => {'Content-Type' => 'application/json'},
                                   content => encode_json({username => $user, password => $pass})});
}

is(login('admin', $password)->{status}, 200, 'admin logs in (control)');
my ($attempts, $res) = (0, undef);
while ($attempts < 60) {
    $attempts++;
    $res = login("addr$attempts-$$", 'wrong password');
    last if $res->{status} == 429;
    is($res->{status}, 401, "failed login $attempts from this address: 401") if $attempts <= 3;
}
is($res->{status}, 429, "the address is throttled after at most 50 failures ($attempts attempts)");
like($res->{headers}{'retry-after'} // '', qr/^[1-9]\d*$/, 'with Retry-After');
$res = login('admin', $password);
is($res->{status}, 429, 'then even admin with the right password: 429');
ok(json_of($res) && json_of($res)->{errors}, 'a JSON:API error');
is(http('GET', '/api/contacts/1')->{status}, 200, 'WSSE is not throttled');

# clear the counters: a graceful restart recreates the shared cache
my ($rc, $out, $err) = apache('-f', config_path(), '-k', 'graceful');
is($rc, 0, 'graceful restart') or diag("$out$err");
ok(wait_until(30, sub { login('admin', $password)->{status} == 200 }), 'after the restart admin logs in again');

done_testing;
