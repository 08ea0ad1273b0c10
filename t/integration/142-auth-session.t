# Browser sessions: POST /login (JSON and form) gives a random 256-bit session cookie
# (HttpOnly, SameSite=Lax), a new id at every login (no fixation); Oro's CSRF rule on
# cookie-authenticated API requests (X-CSRF-Header, and the session's token for
# state-changing ones); POST /logout; idle and absolute timeouts; the same answer for
# unknown users and wrong passwords; per-user throttling; hostile input.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Digest::SHA qw(sha256_hex);
use OroTest;

my $password = slurp(var_dir() . '/admin-password');
$password =~ s/\s+$//;
my $JSON = {'Content-Type' => 'application/json'};
my $mysql = ($ENV{DB} // 'pgsql') eq 'mysql';

sub login {
    my ($user, $pass, %o) = @_;
    my $headers = {%{ $o{form} ? {'Content-Type' => 'application/x-www-form-urlencoded'} : $JSON },
                   %{ $o{headers} || {} }};
    my $body = $o{form} ? "username=$user&password=$pass" : encode_json({username => $user, password => $pass});
    my $res = http('POST', '/login', {auth => 'none', headers => $headers, content => $body});
    my $cookie = $res->{headers}{'set-cookie'} // '';
    $cookie = join("\n", @$cookie) if ref $cookie;
    my ($id) = $cookie =~ /ORO_SESSION=([0-9a-f]*)/;
    return ($res, json_of($res), $id, $cookie);
}
# an API request with the session cookie; csrf => 0 leaves X-CSRF-Header out
sub with_session {
    my ($method, $path, $id, %o) = @_;
    my %h = (Cookie => "ORO_SESSION=$id", %{ $o{headers} || {} });
    $h{'X-CSRF-Header'} = 1 unless defined $o{csrf} && !$o{csrf};
    $h{'X-CSRF-Token'} = $o{token} if defined $o{token};
    $h{'Content-Type'} = 'application/vnd.api+json' if defined $o{content};
    return http($method, $path, {auth => 'none', headers => \%h,
                                 defined $o{content} ? (content => $o{content}) : ()});
}

# ---- the endpoints are exact paths: what lies below them is nobody's (404, no login asked)
for my $path ('/login/x', '/logout/x', '/oauth2-token/x') {
    is(http('POST', $path, {auth => 'none'})->{status}, 404, "$path is 404");
}

# ---- login
my ($res, $doc, $id, $cookie) = login('admin', $password);
is($res->{status}, 200, 'POST /login with JSON: 200') or diag($res->{content});
like($id // '', qr/^[0-9a-f]{64}$/, 'a 256-bit session id');
like($cookie, qr/HttpOnly/, 'HttpOnly');
like($cookie, qr/SameSite=Lax/, 'SameSite=Lax');
like($cookie, qr/Path=\//, 'Path=/');
unlike($cookie, qr/Secure/, 'not Secure over plain http');
is($doc->{user}{username}, 'admin', 'the answer names the user');
like($doc->{csrfToken} // '', qr/^[0-9a-f]{64}$/, 'and carries the CSRF token');
my $csrf = $doc->{csrfToken};
is((sql("SELECT COUNT(*) FROM oro_session WHERE id_hash = '" . sha256_hex($id) . "'"))[0], 1,
   'the session is stored as the SHA-256 of its id');
is((sql("SELECT COUNT(*) FROM oro_session WHERE id_hash = '$id'"))[0], 0, 'never the id itself');
my ($form_res, undef, $form_id) = login('admin', $password, form => 1);
is($form_res->{status}, 200, 'POST /login with a form: 200');
isnt($form_id, $id, 'each login gets its own id');

# ---- the session on the API, Oro's CSRF rule
$res = with_session('GET', '/api/contacts/1', $id);
is($res->{status}, 200, 'GET with the cookie and X-CSRF-Header: 200') or diag($res->{content});
$res = with_session('GET', '/api/contacts/1', $id, csrf => 0);
is($res->{status}, 401, 'without X-CSRF-Header: 401');
like($res->{content}, qr/X-CSRF-Header/, 'and the answer says why');
$res = with_session('GET', '/api/session', $id);
is($res->{status}, 200, 'GET /api/session');
is(json_of($res)->{csrfToken}, $csrf, 'returns the token bound to the session');
is(json_of(http('GET', '/api/session'))->{csrfToken}, undef, 'a WSSE caller has no CSRF token');
$doc = json_of(with_session('GET', '/api/system/status', $id));
ok($doc->{versions}, 'the status shows details to a session of an administrator');

my ($title) = sql("SELECT COALESCE(job_title, '') FROM orocrm_contact WHERE id = 1");
my $patch = encode_json({data => {type => 'contacts', id => '1', attributes => {jobTitle => 'Session test'}}});
$res = with_session('PATCH', '/api/contacts/1', $id, content => $patch);
is($res->{status}, 403, 'PATCH without the CSRF token: 403');
like($res->{content}, qr/X-CSRF-Token/, 'and the answer says what is missing');
$res = with_session('PATCH', '/api/contacts/1', $id, content => $patch, token => 'f' x 64);
is($res->{status}, 403, 'PATCH with a wrong token: 403');
$res = with_session('PATCH', '/api/contacts/1', $id, content => $patch, token => $csrf . 'x');
is($res->{status}, 403, 'PATCH with a longer token: 403');
$res = with_session('PATCH', '/api/contacts/1', $id, content => $patch, token => $form_id);
is($res->{status}, 403, "PATCH with another session's id as token: 403");
is((sql("SELECT COALESCE(job_title, '') FROM orocrm_contact WHERE id = 1"))[0], $title, 'nothing changed');
$res = with_session('PATCH', '/api/contacts/1', $id, content => $patch, token => $csrf);
is($res->{status}, 200, 'PATCH with the token: 200') or diag($res->{content});
$res = with_session('PATCH', '/api/contacts/1', $id, token => $csrf,
                    content => encode_json({data => {type => 'contacts', id => '1', attributes => {jobTitle => $title eq '' ? undef : $title}}}));
is($res->{status}, 200, 'and back');
$res = with_session('DELETE', '/api/contacts/999999999', $id);
is($res->{status}, 403, 'DELETE without the token: 403');
$res = with_session('POST', '/api/contacts', $id, content => '{}', token => $form_id . '');
is($res->{status}, 403, 'POST with a wrong token: 403');

# ---- fixation: a new id at every login, the old one ends
($res, $doc, my $new_id) = login('admin', $password, headers => {Cookie => "ORO_SESSION=$id"});
is($res->{status}, 200, 'a login while a session exists');
isnt($new_id, $id, 'issues a new id');
is(with_session('GET', '/api/contacts/1', $id)->{status}, 401, 'the previous session of that browser ended');
is(with_session('GET', '/api/contacts/1', $new_id)->{status}, 200, 'the new one works');
my $planted = 'a' x 64;
($res, $doc, my $after_plant) = login('admin', $password, headers => {Cookie => "ORO_SESSION=$planted"});
isnt($after_plant, $planted, 'a planted session id is never adopted');
is(with_session('GET', '/api/contacts/1', $planted)->{status}, 401, 'and never works');

# ---- logout
$res = http('POST', '/logout', {auth => 'none', headers => {Cookie => "ORO_SESSION=$new_id"}});
is($res->{status}, 403, 'POST /logout without X-CSRF-Header: 403');
is(with_session('GET', '/api/contacts/1', $new_id)->{status}, 200, 'the session still works');
$res = http('POST', '/logout', {auth => 'none', headers => {Cookie => "ORO_SESSION=$new_id", 'X-CSRF-Header' => 1}});
is($res->{status}, 204, 'POST /logout: 204');
my $cleared = $res->{headers}{'set-cookie'} // '';
like($cleared, qr/ORO_SESSION=;.*Max-Age=0/, 'the cookie is cleared');
is(with_session('GET', '/api/contacts/1', $new_id)->{status}, 401, 'the session no longer works');
is((sql("SELECT COUNT(*) FROM oro_session WHERE id_hash = '" . sha256_hex($new_id) . "'"))[0], 0, 'its row is gone');
is(with_session('GET', '/api/contacts/1', $form_id)->{status}, 200, 'another session of the user goes on');
# Every process of httpd keeps copies of the credentials it read (mod_oro/auth_local.c):
# a logout must reach them all at once. New connections spread the requests over the
# processes, so every process has the session cached before the logout.
{
    my (undef, undef, $spread) = login('admin', $password);
    my $close = {Connection => 'close'};
    my @before = map { with_session('GET', '/api/contacts/1', $spread, headers => $close)->{status} } 1 .. 40;
    is_deeply([grep { $_ != 200 } @before], [], 'a session works on 40 new connections');
    $res = http('POST', '/logout', {auth => 'none', headers => {Cookie => "ORO_SESSION=$spread", 'X-CSRF-Header' => 1}});
    is($res->{status}, 204, 'its logout: 204');
    my @after = map { with_session('GET', '/api/contacts/1', $spread, headers => $close)->{status} } 1 .. 40;
    is_deeply([grep { $_ != 401 } @after], [], 'and then no process of httpd takes it any more');
}
is(http('GET', '/logout', {auth => 'none'})->{status}, 405, 'GET /logout: 405');
is(http('POST', '/logout', {auth => 'none'})->{status}, 204, 'POST /logout without a session: 204');

# ---- timeouts (on fresh sessions, never cached)
my $ago = $mysql ? 'NOW(6) - INTERVAL 2000 SECOND' : "now() - interval '2000 seconds'";
my (undef, undef, $idle) = login('admin', $password);
sql("UPDATE oro_session SET last_seen_at = $ago WHERE id_hash = '" . sha256_hex($idle) . "'");
is(with_session('GET', '/api/contacts/1', $idle)->{status}, 401, 'unused longer than OroSessionIdleTimeout: 401');
my (undef, undef, $old) = login('admin', $password);
my $past = $mysql ? 'NOW(6) - INTERVAL 1 SECOND' : "now() - interval '1 second'";
sql("UPDATE oro_session SET expires_at = $past WHERE id_hash = '" . sha256_hex($old) . "'");
is(with_session('GET', '/api/contacts/1', $old)->{status}, 401, 'past OroSessionLifetime: 401');
my ($lifetime) = sql($mysql ? "SELECT TIMESTAMPDIFF(SECOND, created_at, expires_at) FROM oro_session WHERE id_hash = '" . sha256_hex($form_id) . "'"
                            : "SELECT CAST(EXTRACT(EPOCH FROM expires_at - created_at) AS integer) FROM oro_session WHERE id_hash = '" . sha256_hex($form_id) . "'");
ok(abs($lifetime - 43200) <= 2, 'a session expires OroSessionLifetime after login') or diag($lifetime);

# ---- failed logins: one answer, throttled per user
my ($bad, $bad_doc) = login('admin', 'wrong password');
is($bad->{status}, 401, 'a wrong password: 401');
my ($unknown, $unknown_doc) = login("nobody$$", 'wrong password');
is($unknown->{status}, 401, 'an unknown user: 401');
is($unknown->{content}, $bad->{content}, 'the same answer for both');
ok(!$bad->{headers}{'set-cookie'}, 'no cookie after a failed login');
my $victim = "victim$$" . time;
{
    my $pwfile = "/tmp/oro-pw-$$";
    open my $fh, '>', $pwfile or die; print $fh "right password 1\n"; close $fh;
    my ($rc, $out, $err) = oroctl('user:create', $victim, '--email', "$victim\@example.com", '--password-file', $pwfile);
    unlink $pwfile;
    is($rc, 0, 'a user to throttle') or diag($err);
}
is((login($victim, 'right password 1'))[0]{status}, 200, 'it logs in');

# ---- a password changed through the API ends the user's sessions
{
    my (undef, undef, $sid) = login($victim, 'right password 1');
    ok($sid, 'the user has a session') or diag 'no session';
    is(with_session('GET', '/api/contacts/1', $sid)->{status} =~ /^(200|404)$/ ? 1 : 0, 1,
       'which reaches the API');
    my ($uid) = sql("SELECT id FROM oro_user WHERE username = '$victim'");
    my $patch = http('PATCH', "/api/users/$uid", {headers => {'Content-Type' => 'application/vnd.api+json',
        Accept => 'application/vnd.api+json'},
        content => encode_json({data => {type => 'users', id => "$uid", attributes => {password => 'right password 1'}}})});
    is($patch->{status}, 200, 'an administrator sets the password again') or diag $patch->{content};
    is((sql("SELECT COUNT(*) FROM oro_session WHERE user_id = $uid"))[0], 0, 'the sessions are gone');
    is(with_session('GET', '/api/contacts/1', $sid)->{status}, 401, 'the old session is refused');
    is((login($victim, 'right password 1'))[0]{status}, 200, 'the new password logs in');
}

for my $i (1 .. 5) {
    is((login($victim, "wrong $i"))[0]{status}, 401, "failed login $i: 401");
}
my ($throttled) = login($victim, 'right password 1');
is($throttled->{status}, 429, 'then even the right password: 429');
like($throttled->{headers}{'retry-after'} // '', qr/^[1-9]\d*$/, 'with Retry-After');
like($throttled->{content}, qr/too many failed logins/, 'and a clear message');
is((login('admin', $password))[0]{status}, 200, 'other users are not affected');

# ---- hostile input
for my $needle ("admin' OR '1'='1", "admin'--", "' UNION SELECT password FROM oro_user --", "admin\\") {
    is((login($needle, 'x'))[0]{status}, 401, "SQL in username ($needle): 401");
    is((login('admin', $needle))[0]{status}, 401, "SQL in password ($needle): 401");
    is(with_session('GET', '/api/contacts/1', $needle)->{status}, 401, "SQL in the cookie ($needle): 401");
}
is(with_session('GET', '/api/contacts/1', 'A' x 64)->{status}, 401, 'an upper-case id: 401');
is(with_session('GET', '/api/contacts/1', 'a' x 5000)->{status}, 401, 'a 5 KB cookie: 401');
$res = http('POST', '/login', {auth => 'none', headers => $JSON, content => encode_json({username => 'admin', password => 'x' x 20000})});
is($res->{status}, 413, 'a 20 KB login body: 413');
$res = http('POST', '/login', {auth => 'none', headers => {'Content-Type' => 'text/plain'}, content => 'admin'});
is($res->{status}, 415, 'a text body: 415');
$res = http('POST', '/login', {auth => 'none', headers => $JSON, content => '{"username":'});
is($res->{status}, 400, 'malformed JSON: 400');
$res = http('POST', '/login', {auth => 'none', headers => $JSON, content => encode_json({username => 'admin'})});
is($res->{status}, 400, 'no password: 400');
$res = http('POST', '/login', {auth => 'none', headers => $JSON, content => encode_json({username => 'admin', password => ['x']})});
is($res->{status}, 400, 'a password that is not a string: 400');
is(http('GET', '/login', {auth => 'none'})->{status}, 405, 'GET /login: 405');
ok(json_of(http('GET', '/login', {auth => 'none'}))->{errors}, 'with a JSON:API error');

# ---- disabling a user ends its sessions
my ($rc, $out, $err) = oroctl('user:disable', $victim);
is($rc, 0, 'user:disable');
is((sql("SELECT COUNT(*) FROM oro_session s JOIN oro_user u ON u.id = s.user_id WHERE u.username = '$victim'"))[0], 0,
   "the user's sessions are deleted");

sql("DELETE FROM oro_user WHERE username = '$victim'");
sql("DELETE FROM oro_user_organization WHERE user_id NOT IN (SELECT id FROM oro_user)");
sql("DELETE FROM oro_session WHERE user_id NOT IN (SELECT id FROM oro_user)");

done_testing;
