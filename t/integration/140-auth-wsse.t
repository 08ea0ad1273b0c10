# WSSE authentication (Oro-compatible) and the users and API keys behind it: every API
# route needs a caller, replayed and expired nonces, wrong digests, unknown and
# disabled users, oversized and hostile headers; oroctl user:create, user:disable,
# user:password and apikey:generate.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use POSIX qw(strftime);
use OroTest;

my $admin_key = admin_apikey();
like($admin_key, qr/^[0-9a-f]{40}$/, 'build/stack issued an API key for admin');
my $mode = (stat(var_dir() . '/admin-apikey'))[2] & 07777;
is(sprintf('%04o', $mode), '0600', 'admin-apikey is mode 0600');

# ---- every API route needs a caller
for my $path ('/api/contacts', '/api/contacts/1', '/api/metadata', '/api/doc/openapi.json',
              '/api/contacts/1/account', '/api/nonexistent') {
    my $res = http('GET', $path, {auth => 'none'});
    is($res->{status}, 401, "GET $path without credentials is 401");
    my $challenges = $res->{headers}{'www-authenticate'} // '';
    $challenges = join(', ', @$challenges) if ref $challenges;
    like($challenges, qr/WSSE realm="mod_oro", profile="UsernameToken"/, "$path: WWW-Authenticate names WSSE");
    my $doc = json_of($res);
    is($doc && $doc->{errors}[0]{status}, '401', "$path: a JSON:API error document");
}
is(http('POST', '/api/contacts', {auth => 'none', content => '{}',
        headers => {'Content-Type' => 'application/vnd.api+json'}})->{status},
   401, 'POST without credentials is 401');
is(http('DELETE', '/api/contacts/1', {auth => 'none'})->{status}, 401, 'DELETE without credentials is 401');
my $res = http('GET', '/api/contacts/1');
is($res->{status}, 200, 'admin with WSSE reads a contact') or diag($res->{content});

# ---- /api/system/status: public state, details for administrators
$res = http('GET', '/api/system/status', {auth => 'none'});
is($res->{status}, 200, 'the status answers without credentials');
my $doc = json_of($res);
is_deeply([sort keys %$doc], ['status'], 'without credentials: the state alone');
$doc = json_of(http('GET', '/api/system/status'));
ok($doc->{database} && $doc->{versions}, 'an administrator sees the details');

# ---- the nonce is used once, the time window, the digest
my %h = wsse_headers('admin', $admin_key);
is(http('GET', '/api/contacts/1', {headers => {%h}})->{status}, 200, 'a fresh token is accepted');
$res = http('GET', '/api/contacts/1', {headers => {%h}});
is($res->{status}, 401, 'the same nonce again is refused');
like($res->{content}, qr/nonce was already used/, 'and the answer says why');

my $old = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(time - 3700));
$res = http('GET', '/api/contacts/1', {headers => {wsse_headers('admin', $admin_key, created => $old)}});
is($res->{status}, 401, 'a token created 3700 s ago has expired');
like($res->{content}, qr/expired/, 'and the answer says so');
my $recent = strftime('%Y-%m-%dT%H:%M:%S+00:00', gmtime(time - 3000));
is(http('GET', '/api/contacts/1', {headers => {wsse_headers('admin', $admin_key, created => $recent)}})->{status},
   200, 'a token created 3000 s ago is still valid');
my $ahead = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(time + 60));
is(http('GET', '/api/contacts/1', {headers => {wsse_headers('admin', $admin_key, created => $ahead)}})->{status},
   200, 'a clock 60 s ahead is tolerated');
my $future = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(time + 3600));
$res = http('GET', '/api/contacts/1', {headers => {wsse_headers('admin', $admin_key, created => $future)}});
is($res->{status}, 401, 'a token from an hour ahead is refused');
like($res->{content}, qr/future/, 'and the answer says so');
my $local = strftime('%Y-%m-%dT%H:%M:%S', gmtime);
is(http('GET', '/api/contacts/1', {headers => {wsse_headers('admin', $admin_key, created => $local)}})->{status},
   401, 'a Created time without zone is refused');

$res = http('GET', '/api/contacts/1', {headers => {wsse_headers('admin', 'f' x 40)}});
is($res->{status}, 401, 'a wrong key gives a wrong digest: 401');
my $wrong_digest = json_of($res)->{errors}[0]{detail};
$res = http('GET', '/api/contacts/1', {headers => {wsse_headers('nobody-here', $admin_key)}});
is($res->{status}, 401, 'an unknown user: 401');
is(json_of($res)->{errors}[0]{detail}, $wrong_digest, 'the same answer as a wrong digest');

# ---- malformed, hostile and oversized credentials
my %auth = ('Authorization' => 'WSSE profile="UsernameToken"');
for my $case (
    ['no X-WSSE', {%auth}],
    ['X-WSSE without Authorization', {'X-WSSE' => $h{'X-WSSE'}}],
    ['X-WSSE missing Created', {%auth, 'X-WSSE' => 'UsernameToken Username="admin", PasswordDigest="x", Nonce="bm9uY2U="'}],
    ['X-WSSE not a UsernameToken', {%auth, 'X-WSSE' => 'Basic YWRtaW46YWRtaW4='}],
    ['X-WSSE unterminated', {%auth, 'X-WSSE' => 'UsernameToken Username="admin'}],
    ['Authorization Basic', {'Authorization' => 'Basic YWRtaW46YWRtaW4='}],
    ['Authorization NTLM', {'Authorization' => 'NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw=='}],
    ['Authorization 2000 bytes', {'Authorization' => 'WSSE ' . ('x' x 2000), 'X-WSSE' => $h{'X-WSSE'}}],
    ['X-WSSE 5000 bytes', {%auth, 'X-WSSE' => 'UsernameToken Username="' . ('a' x 5000) . '"'}],
    ['Username 300 bytes', {%auth, wsse_headers('u' x 300, $admin_key)}],
) {
    my ($name, $headers) = @$case;
    $res = http('GET', '/api/contacts/1', {auth => 'none', headers => $headers});
    is($res->{status}, 401, "$name: 401");
    ok(json_of($res) && json_of($res)->{errors}, "$name: a JSON:API error");
}
my ($users_before) = sql('SELECT COUNT(*) FROM oro_user');
for my $needle ("admin' OR '1'='1", "admin'--", "' UNION SELECT api_key FROM oro_user_api_key --",
                "admin\"; DROP TABLE oro_user; --", "%", "admin\\") {
    (my $quoted = $needle) =~ s/"/%22/g;
    $res = http('GET', '/api/contacts/1', {headers => {wsse_headers($quoted, $admin_key)}});
    is($res->{status}, 401, "SQL in Username ($needle): 401");
    $res = http('GET', '/api/contacts/1', {headers => {%auth,
        'X-WSSE' => qq{UsernameToken Username="admin", PasswordDigest="$quoted", Nonce="$quoted", Created="$quoted"}}});
    is($res->{status}, 401, "SQL in digest, nonce and created ($needle): 401");
}
is((sql('SELECT COUNT(*) FROM oro_user'))[0], $users_before, 'the users are untouched');
is(http('GET', '/api/contacts/1')->{status}, 200, 'admin still works afterwards');

# ---- oroctl: users and API keys
my $dir = tempdir(CLEANUP => 1);
sub password_file {
    my ($text) = @_;
    my $path = "$dir/pw" . int(rand(1e9));
    open my $fh, '>', $path or die $!;
    print $fh "$text\n";
    close $fh;
    return $path;
}
my $tag = $$ . time;
my $name = "wsse$tag";
my ($unit, $org) = split /\t/, (sql('SELECT id, organization_id FROM oro_business_unit ORDER BY id DESC LIMIT 1'))[0];
my ($rc, $out, $err) = oroctl('user:create', $name, '--email', "$name\@example.com",
    '--password-file', password_file('correct horse battery'), '--business-unit', $unit, '--role', 'ROLE_USER');
is($rc, 0, 'user:create') or diag($err);
like($out, qr/created user "\Q$name\E" \(id (\d+)\)/, 'and says so with the id');
my ($row) = sql("SELECT organization_id, business_unit_owner_id, enabled FROM oro_user WHERE username = '$name'");
my ($u_org, $u_unit) = split /\t/, $row;
is("$u_org/$u_unit", "$org/$unit", 'the user is in the unit and its organization');
my ($hash) = sql("SELECT password FROM oro_user WHERE username = '$name'");
like($hash, qr/^\$2y\$/, 'the password is stored as a bcrypt hash');
is((sql("SELECT COUNT(*) FROM oro_user_access_role ur JOIN oro_access_role r ON r.id = ur.role_id "
      . "JOIN oro_user u ON u.id = ur.user_id WHERE u.username = '$name' AND r.role = 'ROLE_USER'"))[0],
   1, 'the role is granted');

$res = http('GET', '/api/contacts/1', {user => $name, apikey => $admin_key});
is($res->{status}, 401, 'a user without API key cannot use WSSE');
($rc, $out, $err) = oroctl('apikey:generate', $name);
is($rc, 0, 'apikey:generate') or diag($err);
like($out, qr/^[0-9a-f]{40}\n\z/, 'prints the key alone');
chomp(my $key = $out);
$res = http('GET', '/api/contacts', {user => $name, apikey => $key});
is($res->{status}, 200, 'the new user authenticates with its key') or diag($res->{content});
$doc = json_of(http('GET', '/api/system/status', {user => $name, apikey => $key}));
is_deeply([sort keys %$doc], ['status'], 'a user who is not administrator sees the state alone');

($rc, $out, $err) = oroctl('apikey:generate', $name);
chomp(my $key2 = $out);
isnt($key2, $key, 'a second apikey:generate issues another key');
is(http('GET', '/api/contacts', {user => $name, apikey => $key2})->{status}, 200, 'the new key works at once');
ok(wait_until(20, sub { http('GET', '/api/contacts', {user => $name, apikey => $key})->{status} == 401 }),
   'the replaced key stops working (within OroAuthCacheSeconds)');

# password policy and bad arguments
for my $case (
    [['user:create', "x$tag", '--email', "x$tag\@example.com", '--password-file', password_file('short')], 1, qr/shorter than 8/],
    [['user:create', "Secret$tag", '--email', "y$tag\@example.com", '--password-file', password_file("secret$tag")], 1, qr/must not be the username/],
    [['user:create', $name, '--email', "z$tag\@example.com", '--password-file', password_file('long enough pw')], 1, qr/already exists/],
    [['user:create', "r$tag", '--email', "r$tag\@example.com", '--password-file', password_file('long enough pw'), '--role', 'ROLE_NOPE'], 1, qr/no role "ROLE_NOPE"/],
    [['user:create', "e$tag", '--password-file', password_file('long enough pw')], 2, qr/--email/],
    [['user:create', "o$tag", '--email', "o$tag\@example.com", '--organization', "1 OR 1=1"], 2, qr/take an id/],
    [['user:create', "f$tag", '--email', "f$tag\@example.com", '--password-file', "$dir/missing"], 1, qr/could not read the password/],
    [['user:disable', "nobody$tag"], 1, qr/no user "nobody\Q$tag\E"/],
    [['user:disable'], 2, qr/which user/],
    [['apikey:generate', "' OR '1'='1"], 1, qr/no user/],
    [['user:password', $name, '--password-file', password_file($name)], 1, qr/must not be the username/],
) {
    my ($args, $code, $msg) = @$case;
    ($rc, $out, $err) = oroctl(@$args);
    my $what = join(' ', @$args[0 .. ($#$args < 1 ? $#$args : 1)]);
    is($rc, $code, "oroctl $what: exit $code");
    like($err, $msg, "oroctl $what: the message says why") or diag($err);
}
is((sql("SELECT COUNT(*) FROM oro_user WHERE username LIKE '%$tag' AND username <> '$name'"))[0], 0,
   'no refused user was created');

# user:password from standard input
{
    my $pw = password_file('another good password');
    ($rc, $out, $err) = run_cmd('sh', '-c', 'exec "$0" --config "$1" user:password "$2" < "$3"',
                                out_dir() . '/oroctl', config_path(), $name, $pw);
    is($rc, 0, 'user:password reads standard input') or diag($err);
    my ($hash2) = sql("SELECT password FROM oro_user WHERE username = '$name'");
    isnt($hash2, $hash, 'the hash changed');
}

# a disabled user is refused (at once when not cached; within the cache time when it is)
($rc, $out, $err) = oroctl('user:disable', $name);
is($rc, 0, 'user:disable') or diag($err);
is((sql("SELECT CASE WHEN enabled THEN 1 ELSE 0 END FROM oro_user WHERE username = '$name'"))[0], 0, 'the user is disabled');
ok(wait_until(20, sub { http('GET', '/api/contacts', {user => $name, apikey => $key2})->{status} == 401 }),
   'a disabled user is refused');
my $name2 = "wsse2$tag";
oroctl('user:create', $name2, '--email', "$name2\@example.com", '--password-file', password_file('correct horse battery'));
($rc, $out) = oroctl('apikey:generate', $name2);
chomp(my $key3 = $out);
oroctl('user:disable', $name2);
$res = http('GET', '/api/contacts', {user => $name2, apikey => $key3});
is($res->{status}, 401, 'a user disabled before its first request is refused at once');
is(json_of($res)->{errors}[0]{detail}, $wrong_digest, 'with the same answer as a wrong digest');

sql("DELETE FROM oro_user_access_role WHERE user_id IN (SELECT id FROM oro_user WHERE username IN ('$name', '$name2'))");
sql("DELETE FROM oro_user_organization WHERE user_id IN (SELECT id FROM oro_user WHERE username IN ('$name', '$name2'))");
sql("DELETE FROM oro_user_api_key WHERE user_id IN (SELECT id FROM oro_user WHERE username IN ('$name', '$name2'))");
sql("DELETE FROM oro_user WHERE username IN ('$name', '$name2')");

done_testing;
