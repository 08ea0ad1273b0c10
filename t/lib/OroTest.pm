# t/lib/OroTest.pm — helpers for the integration tests: the stack under test (from
# the environment t/run-all sets), HTTP with JSON, waiting, running commands.
package OroTest;
use strict;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP;
use Time::HiRes qw(sleep time);
use File::Temp qw(tempdir);
use Digest::SHA qw(sha1);
use MIME::Base64 qw(encode_base64 decode_base64);
use POSIX qw(strftime);

our @EXPORT = qw(base_url http json_of wait_until run_cmd config_path
                 consumer_pid worker_pids root_dir out_dir var_dir slurp sql oroctl apache
                 admin_apikey wsse_headers);
# JSON:API helpers of the ACL tests, imported by name: use OroTest qw(call create ident api_user)
our @EXPORT_OK = qw(call create ident api_user);

sub root_dir { my $d = __FILE__; $d =~ s{/t/lib/OroTest\.pm$}{}; return $d eq __FILE__ ? '.' : $d }
sub var_dir  { $ENV{ORO_VAR} or die "ORO_VAR is not set: run through t/run-all\n" }
sub out_dir  { $ENV{ORO_OUT} || root_dir() . '/out' }
sub config_path { var_dir() . '/httpd.conf' }
sub base_url { 'http://127.0.0.1:' . ($ENV{ORO_HTTP_PORT} || 8080) }

my $ua = HTTP::Tiny->new(timeout => 10);

# The WSSE API key build/stack issued for admin (ORO_VAR/admin-apikey).
sub admin_apikey {
    my $key = slurp(var_dir() . '/admin-apikey');
    $key =~ s/\s+//g;
    return $key;
}

# wsse_headers(USERNAME, APIKEY, created => ISO8601, nonce => BASE64) -> the two
# headers of Oro's WSSE (Authorization and X-WSSE), a fresh random nonce unless given.
sub wsse_headers {
    my ($user, $key, %o) = @_;
    my $nonce = $o{nonce};
    if (!defined $nonce) {
        open my $fh, '<:raw', '/dev/urandom' or die "/dev/urandom: $!";
        read($fh, my $bytes, 16) == 16 or die "/dev/urandom: short read";
        $nonce = encode_base64($bytes, '');
    }
    my $created = $o{created} // strftime('%Y-%m-%dT%H:%M:%SZ', gmtime);
    my $digest = encode_base64(sha1(decode_base64($nonce) . $created . $key), '');
    return ('Authorization' => 'WSSE profile="UsernameToken"',
            'X-WSSE' => qq{UsernameToken Username="$user", PasswordDigest="$digest", Nonce="$nonce", Created="$created"});
}

# http(METHOD, PATH, {headers => {...}, content => '...', ...}) -> HTTP::Tiny response.
# Authenticates as admin with WSSE unless the options say otherwise:
#   auth => 'none'            no credentials at all
#   user => NAME, apikey => K WSSE as another user
#   bearer => TOKEN           Authorization: Bearer TOKEN
# An Authorization header given in headers is sent as it is (no WSSE added).
sub http {
    my ($method, $path, $opts) = @_;
    my %opts = %{ $opts || {} };
    my $auth = delete $opts{auth} // 'wsse';
    my $user = delete $opts{user};
    my $key = delete $opts{apikey};
    my $bearer = delete $opts{bearer};
    my %headers = %{ $opts{headers} || {} };
    my $given = grep { lc($_) eq 'authorization' } keys %headers;
    if (!$given && defined $bearer) {
        $headers{Authorization} = "Bearer $bearer";
    }
    elsif (!$given && $auth ne 'none') {
        %headers = (%headers, wsse_headers($user // 'admin', $key // admin_apikey()));
    }
    $opts{headers} = \%headers;
    return $ua->request($method, base_url() . $path, \%opts);
}

sub json_of {
    my ($res) = @_;
    my $doc = eval { decode_json($res->{content}) };
    return $doc;
}

# wait_until(SECONDS, CODE): polls CODE every 0.2 s until it returns true (scalar
# context) or a non-empty list (list context), and returns that; the last answer on
# timeout.
sub wait_until {
    my ($seconds, $code) = @_;
    my $end = time + $seconds;
    if (wantarray) {
        while (1) {
            my @v = $code->();
            return @v if @v || time >= $end;
            sleep 0.2;
        }
    }
    while (1) {
        my $v = $code->();
        return $v if $v || time >= $end;
        sleep 0.2;
    }
}

# run_cmd(@argv) -> (exit code, stdout, stderr)
sub run_cmd {
    my @argv = @_;
    my $dir = tempdir(CLEANUP => 1);
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', "$dir/out" or die;
        open STDERR, '>', "$dir/err" or die;
        exec @argv or do { print STDERR "exec $argv[0]: $!\n"; exit 127 };
    }
    waitpid $pid, 0;
    my $rc = $? >> 8;
    return ($rc, slurp("$dir/out"), slurp("$dir/err"));
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

# sql(QUERY) -> list of rows (each a tab-separated string), through the database's own
# client over the stack's socket; dies on an SQL error.
sub sql {
    my ($query) = @_;
    my $var = var_dir();
    my @cmd;
    if (($ENV{DB} || 'pgsql') eq 'mysql') {
        my $pass = slurp("$var/db-password");
        $pass =~ s/\s+$//;
        @cmd = ('mariadb', '--no-defaults', '-S', "$var/run/mysqld.sock", '-u', 'oro', "-p$pass",
                '-N', '-B', 'oro', '-e', $query);
    } else {
        @cmd = ('psql', '-h', "$var/run", '-U', 'oro', '-d', 'oro', '-X', '-q', '-A', '-t',
                '-F', "\t", '-v', 'ON_ERROR_STOP=1', '-c', $query);
    }
    my ($rc, $out, $err) = run_cmd(@cmd);
    die "sql failed ($query): $err" if $rc != 0;
    return grep { length } split /\n/, $out;
}

# oroctl(ARGS...) -> (exit code, stdout, stderr) against the stack's configuration
sub oroctl {
    return run_cmd(out_dir() . '/oroctl', '--config', config_path(), @_);
}

# apache(ARGS...) -> (exit code, stdout, stderr) of /usr/sbin/apache2; with the
# sanitizer build the module needs the sanitizer runtimes preloaded, as build/stack does.
sub apache {
    my @args = @_;
    local $ENV{LD_PRELOAD} = $ENV{LD_PRELOAD};
    local $ENV{ASAN_OPTIONS} = $ENV{ASAN_OPTIONS};
    if (($ENV{ORO_SANITIZE} || '') eq '1') {
        chomp(my $asan = `gcc -print-file-name=libasan.so`);
        chomp(my $ubsan = `gcc -print-file-name=libubsan.so`);
        $ENV{LD_PRELOAD} = "$asan $ubsan";
        $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
    }
    return run_cmd('/usr/sbin/apache2', @args);
}

sub consumer_pid {
    my $pid = slurp(var_dir() . '/run/oro-consumer.pid');
    $pid =~ s/\s+//g;
    return $pid;
}

sub worker_pids {
    my ($parent) = @_;
    $parent ||= consumer_pid();
    my @pids = grep { /\d/ } split /\s+/, `pgrep -P $parent 2>/dev/null`;
    return sort { $a <=> $b } @pids;
}


# ---- JSON:API as a user (the ACL tests)

my $JSONAPI = 'application/vnd.api+json';

# call(WHO, METHOD, PATH, BODY, HEADERS) -> (response, decoded document): WHO is undef
# (admin) or a user {name, key} (WSSE); BODY a reference (encoded) or a string.
sub call {
    my ($who, $method, $path, $body, $headers) = @_;
    my %h = (Accept => $JSONAPI, %{ $headers || {} });
    my %opts = (headers => \%h);
    if (defined $body) {
        $h{'Content-Type'} = $JSONAPI;
        $opts{content} = ref $body ? encode_json($body) : $body;
    }
    if ($who) {
        $opts{user} = $who->{name};
        $opts{apikey} = $who->{key};
    }
    my $res = http($method, $path, \%opts);
    return ($res, json_of($res));
}

# A to-one linkage document.
sub ident { my ($type, $id) = @_; return {data => {type => $type, id => "$id"}} }

# api_user(NAME, ROLE, ORGANIZATION_ID[, BUSINESS_UNIT_ID]) -> {name, key, id}: a user
# made by oroctl user:create with an API key for WSSE (call's WHO); bails out when it
# cannot.
my $user_password_file;
sub api_user {
    my ($name, $role, $org, $unit) = @_;
    if (!defined $user_password_file) {
        $user_password_file = tempdir(CLEANUP => 1) . '/pw';
        open my $pw, '>', $user_password_file or die "$user_password_file: $!";
        print $pw "api-user-password-$$\n";
        close $pw;
    }
    my ($rc, $out, $err) = oroctl('user:create', $name, '--email', "$name\@example.com",
        '--password-file', $user_password_file, '--organization', $org,
        (defined $unit ? ('--business-unit', $unit) : ()), '--role', $role);
    $rc == 0 or Test::More::BAIL_OUT("user:create $name: $err");
    ($rc, $out, $err) = oroctl('apikey:generate', $name);
    $rc == 0 or Test::More::BAIL_OUT("apikey:generate $name: $err");
    $out =~ s/\s+//g;
    my ($id) = sql("SELECT id FROM oro_user WHERE username = '$name'");
    return {name => $name, key => $out, id => $id};
}

# Creates a record as admin and returns its id; bails out of the test when it cannot.
sub create {
    my ($type, $attributes, $relationships) = @_;
    my ($res, $doc) = call(undef, POST => "/api/$type",
        {data => {type => $type, attributes => $attributes, relationships => $relationships || {}}});
    $res->{status} == 201 or Test::More::BAIL_OUT("could not create $type: $res->{status} $res->{content}");
    return $doc->{data}{id};
}

1;
