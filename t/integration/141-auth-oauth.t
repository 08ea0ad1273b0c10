# OAuth2: POST /oauth2-token with the client_credentials, password and refresh_token
# grants, Oro's answer shape, RFC 6749 errors, bearer tokens on the API (expired,
# revoked, hostile), refresh token rotation; oroctl oauth:client:create and
# oauth:token:revoke.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Digest::SHA qw(sha256_hex);
use MIME::Base64 qw(encode_base64);
use OroTest;

my $FORM = {'Content-Type' => 'application/x-www-form-urlencoded'};
my $admin_password = slurp(var_dir() . '/admin-password');
$admin_password =~ s/\s+$//;

sub form {
    my (%p) = @_;
    return join('&', map { "$_=" . url($p{$_}) } sort keys %p);
}
sub url { my ($s) = @_; $s =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge; return $s }
sub token {
    my ($body, %o) = @_;
    my $headers = {%{ $o{headers} || $FORM }};
    my $res = http('POST', '/oauth2-token', {auth => 'none', headers => $headers, content => $body});
    return ($res, json_of($res));
}
sub client {
    my (@args) = @_;
    my ($rc, $out, $err) = oroctl('oauth:client:create', @args);
    is($rc, 0, "oauth:client:create @args") or diag($err);
    my $c = eval { decode_json($out) } || {};
    return $c;
}

# ---- clients
my $cc = client('integration', '--grant', 'client_credentials', '--user', 'admin');
like($cc->{client_id} // '', qr/^[0-9a-f]{32}$/, 'a client id');
like($cc->{client_secret} // '', qr/^[0-9a-f]{64}$/, 'a client secret');
my ($stored) = sql("SELECT secret_hash FROM oro_oauth_client WHERE client_id = '$cc->{client_id}'");
is($stored, sha256_hex($cc->{client_secret}), 'the secret is stored as its SHA-256 only');
my $pw = client('web app');
my ($rc, $out, $err) = oroctl('oauth:client:create', 'x', '--grant', 'client_credentials');
is($rc, 2, 'client_credentials without --user is a usage error');
like($err, qr/needs --user/, 'and says so');
($rc, $out, $err) = oroctl('oauth:client:create', 'x', '--grant', 'implicit');
is($rc, 2, 'an unknown grant is a usage error');
($rc, $out, $err) = oroctl('oauth:client:create', 'x', '--grant', 'client_credentials', '--user', "' OR '1'='1");
is($rc, 1, 'an unknown user is refused');

# ---- client_credentials
my ($res, $doc) = token(form(grant_type => 'client_credentials', client_id => $cc->{client_id},
                             client_secret => $cc->{client_secret}));
is($res->{status}, 200, 'client_credentials: 200') or diag($res->{content});
is($doc->{token_type}, 'Bearer', 'token_type Bearer');
is($doc->{expires_in}, 3600, 'expires_in 3600');
like($doc->{access_token} // '', qr/^[0-9a-f]{64}$/, 'an opaque access token');
ok(!exists $doc->{refresh_token}, 'no refresh token for client_credentials');
is($res->{headers}{'cache-control'}, 'no-store', 'Cache-Control: no-store');
my $cc_token = $doc->{access_token};
is((sql("SELECT COUNT(*) FROM oro_oauth_token WHERE token_hash = '" . sha256_hex($cc_token) . "'"))[0], 1,
   'the token is stored as its SHA-256');
is((sql("SELECT COUNT(*) FROM oro_oauth_token WHERE token_hash = '$cc_token'"))[0], 0, 'and never in clear');
$res = http('GET', '/api/contacts/1', {bearer => $cc_token});
is($res->{status}, 200, 'the bearer token reads a contact') or diag($res->{content});
$doc = json_of(http('GET', '/api/system/status', {bearer => $cc_token}));
ok($doc->{versions}, 'the client acts as admin (an administrator)');

# HTTP Basic client authentication and a JSON body
my $basic = 'Basic ' . encode_base64("$cc->{client_id}:$cc->{client_secret}", '');
($res, $doc) = token(form(grant_type => 'client_credentials'), headers => {%$FORM, Authorization => $basic});
is($res->{status}, 200, 'client authentication with HTTP Basic');
($res, $doc) = token(encode_json({grant_type => 'client_credentials', client_id => $cc->{client_id},
                                  client_secret => $cc->{client_secret}}),
                     headers => {'Content-Type' => 'application/json'});
is($res->{status}, 200, 'a JSON body');

# ---- password grant and refresh
($res, $doc) = token(form(grant_type => 'password', client_id => $pw->{client_id},
                          client_secret => $pw->{client_secret}, username => 'admin', password => $admin_password));
is($res->{status}, 200, 'password grant: 200') or diag($res->{content});
like($doc->{refresh_token} // '', qr/^[0-9a-f]{64}$/, 'with a refresh token');
my ($access, $refresh) = @$doc{qw(access_token refresh_token)};
is(http('GET', '/api/contacts/1', {bearer => $access})->{status}, 200, 'the access token works');
($res, $doc) = token(form(grant_type => 'refresh_token', client_id => $pw->{client_id},
                          client_secret => $pw->{client_secret}, refresh_token => $refresh));
is($res->{status}, 200, 'refresh: 200') or diag($res->{content});
isnt($doc->{access_token}, $access, 'a new access token');
isnt($doc->{refresh_token}, $refresh, 'a new refresh token');
my $access2 = $doc->{access_token};
is(http('GET', '/api/contacts/1', {bearer => $access2})->{status}, 200, 'the new access token works');
($res, $doc) = token(form(grant_type => 'refresh_token', client_id => $pw->{client_id},
                          client_secret => $pw->{client_secret}, refresh_token => $refresh));
is($res->{status}, 400, 'a used refresh token is refused');
is($doc->{error}, 'invalid_grant', 'invalid_grant');

# ---- RFC 6749 errors
my %ok_client = (client_id => $pw->{client_id}, client_secret => $pw->{client_secret});
for my $case (
    ['no grant_type', form(%ok_client), 400, 'invalid_request'],
    ['an unknown grant_type', form(%ok_client, grant_type => 'implicit'), 400, 'unsupported_grant_type'],
    ['no client', form(grant_type => 'password', username => 'admin', password => 'x'), 401, 'invalid_client'],
    ['a wrong secret', form(grant_type => 'password', client_id => $pw->{client_id}, client_secret => 'f' x 64,
                            username => 'admin', password => $admin_password), 401, 'invalid_client'],
    ['an unknown client', form(grant_type => 'password', client_id => 'f' x 32, client_secret => 'x'), 401, 'invalid_client'],
    ['a grant the client may not use', form(%ok_client, grant_type => 'client_credentials'), 400, 'unauthorized_client'],
    ['password without username', form(%ok_client, grant_type => 'password', password => 'x'), 400, 'invalid_request'],
    ['refresh without token', form(%ok_client, grant_type => 'refresh_token'), 400, 'invalid_request'],
    ['a made-up refresh token', form(%ok_client, grant_type => 'refresh_token', refresh_token => 'a' x 64), 400, 'invalid_grant'],
    ['an access token as refresh token', form(%ok_client, grant_type => 'refresh_token', refresh_token => $access2), 400, 'invalid_grant'],
    ['a malformed JSON body', '{"grant_type":', 400, 'invalid_request', {'Content-Type' => 'application/json'}],
    ['a JSON array', '["password"]', 400, 'invalid_request', {'Content-Type' => 'application/json'}],
    ['a text body', 'grant_type=password', 415, 'invalid_request', {'Content-Type' => 'text/plain'}],
    ['a 20 KB body', form(%ok_client, grant_type => 'password', username => 'x' x 20000), 413, 'invalid_request'],
) {
    my ($name, $body, $status, $error, $headers) = @$case;
    ($res, $doc) = token($body, $headers ? (headers => $headers) : ());
    is($res->{status}, $status, "$name: $status");
    is($doc && $doc->{error}, $error, "$name: $error") or diag($res->{content});
    ok($doc && defined $doc->{error_description}, "$name: with a description");
}
($res, $doc) = token(form(%ok_client, grant_type => 'password', username => 'admin', password => 'wrong password'));
is($res->{status}, 400, 'a wrong password: 400');
is($doc->{error}, 'invalid_grant', 'invalid_grant');
my $wrong = $doc->{error_description};
($res, $doc) = token(form(%ok_client, grant_type => 'password', username => "nobody$$", password => 'wrong password'));
is($doc->{error_description}, $wrong, 'an unknown user gets the same answer');
$res = http('GET', '/oauth2-token', {auth => 'none'});
is($res->{status}, 405, 'GET /oauth2-token: 405');
like($res->{headers}{allow} // '', qr/POST/, 'Allow: POST');

# SQL in every parameter
my ($tokens_before) = sql('SELECT COUNT(*) FROM oro_oauth_token');
for my $needle ("' OR '1'='1", "x'; DELETE FROM oro_oauth_token; --", "' UNION SELECT secret_hash FROM oro_oauth_client --") {
    # (username last: the throttle counts the failures of "sql$$")
    for my $field (qw(client_id client_secret password refresh_token grant_type username)) {
        my %p = (%ok_client, grant_type => 'password', username => "sql$$", password => 'nope', $field => $needle);
        ($res, $doc) = token(form(%p));
        ok($res->{status} =~ /^(400|401|429)$/, "SQL in $field ($needle): refused")
            or diag($res->{content});
    }
    $res = http('GET', '/api/contacts/1', {bearer => $needle});
    is($res->{status}, 401, "SQL in a bearer token ($needle): 401");
}
is((sql('SELECT COUNT(*) FROM oro_oauth_token'))[0], $tokens_before, 'no token was added or removed');

# ---- bearer tokens on the API: bad, oversized, expired, revoked
for my $case (['an unknown token', 'a' x 64], ['a 200-byte token', 'a' x 200], ['an empty token', ''],
              ['a 4 KB token', 'b' x 4096]) {
    $res = http('GET', '/api/contacts/1', {bearer => $case->[1]});
    is($res->{status}, 401, "$case->[0]: 401");
    my $challenges = $res->{headers}{'www-authenticate'} // '';
    $challenges = join(', ', @$challenges) if ref $challenges;
    like($challenges, qr/Bearer/, "$case->[0]: WWW-Authenticate names Bearer");
}
($res, $doc) = token(form(grant_type => 'client_credentials', client_id => $cc->{client_id},
                          client_secret => $cc->{client_secret}));
my $unused = $doc->{access_token};
my $past = ($ENV{DB} // 'pgsql') eq 'mysql' ? 'NOW(6) - INTERVAL 1 SECOND' : "now() - interval '1 second'";
sql("UPDATE oro_oauth_token SET expires_at = $past WHERE token_hash = '" . sha256_hex($unused) . "'");
$res = http('GET', '/api/contacts/1', {bearer => $unused});
is($res->{status}, 401, 'an expired token: 401');
like($res->{content}, qr/expired or revoked/, 'and the answer says so');

is(http('GET', '/api/contacts/1', {bearer => $access2})->{status}, 200, 'a live token before revocation');
($rc, $out, $err) = oroctl('oauth:token:revoke', '--client', $pw->{client_id});
is($rc, 0, 'oauth:token:revoke --client') or diag($err);
like($out, qr/revoked [1-9]\d* token/, 'says how many');
ok(wait_until(20, sub { http('GET', '/api/contacts/1', {bearer => $access2})->{status} == 401 }),
   'a revoked token is refused (within OroAuthCacheSeconds)');
($rc, $out, $err) = oroctl('oauth:token:revoke');
is($rc, 2, 'oauth:token:revoke without --user or --client: usage');

# ---- the password grant is throttled per username
my $victim = "victim$$" . time;
for my $i (1 .. 5) {
    ($res) = token(form(%ok_client, grant_type => 'password', username => $victim, password => "wrong $i"));
    is($res->{status}, 400, "failed login $i: 400");
}
($res, $doc) = token(form(%ok_client, grant_type => 'password', username => $victim, password => 'wrong 6'));
is($res->{status}, 429, 'the sixth attempt within the window: 429');
like($res->{headers}{'retry-after'} // '', qr/^[1-9]\d*$/, 'with Retry-After');
($res) = token(form(%ok_client, grant_type => 'password', username => 'admin', password => $admin_password));
is($res->{status}, 200, 'another user can still log in');

sql("DELETE FROM oro_oauth_token WHERE client_id IN (SELECT id FROM oro_oauth_client WHERE client_id IN ('$cc->{client_id}', '$pw->{client_id}'))");
sql("DELETE FROM oro_oauth_client WHERE client_id IN ('$cc->{client_id}', '$pw->{client_id}')");

done_testing;
