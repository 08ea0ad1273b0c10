# Every Oro* directive is documented in conf.d/oro.conf; a broken directive stops httpd
# with a message naming it.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use OroTest;

my $root = root_dir();
my $source = slurp("$root/mod_oro/mod_oro.c");
my %declared = map { $_ => 1 } $source =~ /ORO_DIRECTIVE\("(Oro\w+)"/g;
my $conf = slurp("$root/conf.d/oro.conf");
my %documented = map { $_ => 1 } $conf =~ /^#\s+(Oro\w+)\s+\S/mg;
ok(scalar(keys %declared) >= 10, 'directives found in mod_oro.c');
is_deeply([sort keys %documented], [sort keys %declared],
          'conf.d/oro.conf documents exactly the directives mod_oro declares');

# A minimal server of our own (not the stack's): bad directives must stop it.
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
mkdir "$dir/index";
my $port = ($ENV{ORO_HTTP_PORT} || 8080) + 500;
my $modules = '/usr/lib/apache2/modules';
my $out = out_dir();
my $user = $> == 0 ? "User nobody\nGroup nogroup\n" : '';

sub start_with {
    my ($extra) = @_;
    open my $fh, '>', "$dir/httpd.conf" or die $!;
    print $fh <<"CONF";
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $dir/httpd.pid
DefaultRuntimeDir $dir
ErrorLog $dir/error.log
$user
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule dbd_module $modules/mod_dbd.so
LoadModule socache_shmcb_module $modules/mod_socache_shmcb.so
LoadModule oro_module $out/mod_oro.so
DBDriver pgsql
DBDParams "host=$dir dbname=none"
OroSearchIndex $dir/index
$extra
CONF
    close $fh;
    unlink "$dir/error.log";
    my ($rc, $stdout, $stderr) = apache('-f', "$dir/httpd.conf", '-k', 'start');
    my $log = slurp("$dir/error.log");
    if ($rc == 0) {
        # NB: `-k start` returns before the daemon has written its pid file, and `-k stop`
        # without one stops nothing; on a loaded machine a stop can take a while too. The
        # next case must not find this httpd still running ("already running" instead of
        # the error under test).
        wait_until(30, sub { -s "$dir/httpd.pid" });
        apache('-f', "$dir/httpd.conf", '-k', 'stop');
        if (!wait_until(60, sub { !-e "$dir/httpd.pid" })) {
            my $pid = slurp("$dir/httpd.pid");
            kill 'KILL', $1 if $pid =~ /(\d+)/;
            unlink "$dir/httpd.pid";
        }
    }
    return ($rc, "$stdout$stderr$log");
}

my ($rc, $text) = start_with('');
is($rc, 0, 'the minimal configuration starts (control)') or diag $text;

my @bad = (
    ['OroQueueTransport kafka', qr/OroQueueTransport: unknown transport "kafka"/],
    ['OroHeartbeatInterval soon', qr/OroHeartbeatInterval: "soon" is not a whole number/],
    ['OroHeartbeatInterval 0', qr/OroHeartbeatInterval: "0" is not a whole number from 1/],
    ['OroConsumerWorkers 100000', qr/OroConsumerWorkers/],
    ['OroAmqpUrl http://x', qr/OroAmqpUrl: "http:\/\/x" must start with amqp:\/\//],
    ['OroSearchIndex', qr/OroSearchIndex/],
    ['OroSearchIndex /nonexistent/oro-index', qr{OroSearchIndex: cannot use directory "/nonexistent/oro-index"}],
    ["OroSearchIndex $dir/httpd.conf", qr{OroSearchIndex: "\Q$dir\E/httpd.conf" is not a directory}],
    ['OroEntityConfig /nonexistent/entities', qr{OroEntityConfig: cannot use directory "/nonexistent/entities"}],
    ['OroSecretFile /nonexistent/secret', qr{OroSecretFile: cannot read "/nonexistent/secret"}],
    ['OroQueueTransport amqp', qr/OroQueueTransport amqp needs OroAmqpUrl/],
    ["OroHeartbeatInterval 30\nOroConsumerTimeout 10", qr/OroConsumerTimeout \(10 s\) must be longer/],
    ["<Location /x>\nOroSearchIndex /tmp\n</Location>", qr/OroSearchIndex.*not allowed|cannot occur within/],
    ['OroAuthentication maybe', qr/OroAuthentication: "maybe" is neither on nor off/],
    ['OroWsseLifetime 5', qr/OroWsseLifetime: "5" is not a whole number from 10/],
    ['OroWsseClockSkew -1', qr/OroWsseClockSkew/],
    ['OroAuthCacheSeconds forever', qr/OroAuthCacheSeconds: "forever" is not a whole number/],
    ['OroPasswordMinLength 3', qr/OroPasswordMinLength: "3" is not a whole number from 6/],
);
for my $case (@bad) {
    my ($directive, $expect) = @$case;
    ($rc, $text) = start_with($directive);
    (my $name = $directive) =~ s/\n/; /g;
    isnt($rc, 0, "httpd refuses to start with '$name'");
    like($text, $expect, "the message names the directive ('$name')") or diag $text;
}

# secret shorter than 32 bytes
open my $fh, '>', "$dir/short" or die; print $fh "short\n"; close $fh;
($rc, $text) = start_with("OroSecretFile $dir/short");
isnt($rc, 0, 'a short secret stops httpd');
like($text, qr/OroSecretFile: "\Q$dir\E\/short" holds fewer than 32 bytes/, 'and says why');

# without mod_dbd
open $fh, '>', "$dir/nodbd.conf" or die;
print $fh "ServerName 127.0.0.1\nListen 127.0.0.1:$port\nPidFile $dir/httpd.pid\nDefaultRuntimeDir $dir\nErrorLog $dir/error.log\n$user"
    . "LoadModule mpm_event_module $modules/mod_mpm_event.so\nLoadModule authz_core_module $modules/mod_authz_core.so\n"
    . "LoadModule oro_module $out/mod_oro.so\n";
close $fh;
unlink "$dir/error.log";
my ($rc2, $o, $e) = apache('-f', "$dir/nodbd.conf", '-k', 'start');
my $all = $o . $e . slurp("$dir/error.log");
if ($rc2 == 0) { apache('-f', "$dir/nodbd.conf", '-k', 'stop'); }
isnt($rc2, 0, 'httpd without mod_dbd refuses to start');
like($all, qr/you must load mod_dbd/, 'and says mod_dbd is needed');

# without mod_socache_shmcb (authentication keeps nonces and sessions in it)
open $fh, '>', "$dir/noshm.conf" or die;
print $fh "ServerName 127.0.0.1\nListen 127.0.0.1:$port\nPidFile $dir/httpd.pid\nDefaultRuntimeDir $dir\nErrorLog $dir/error.log\n$user"
    . "LoadModule mpm_event_module $modules/mod_mpm_event.so\nLoadModule authz_core_module $modules/mod_authz_core.so\n"
    . "LoadModule dbd_module $modules/mod_dbd.so\nLoadModule oro_module $out/mod_oro.so\n"
    . "DBDriver pgsql\nDBDParams \"host=$dir dbname=none\"\n";
close $fh;
unlink "$dir/error.log";
($rc2, $o, $e) = apache('-f', "$dir/noshm.conf", '-k', 'start');
$all = $o . $e . slurp("$dir/error.log");
if ($rc2 == 0) { apache('-f', "$dir/noshm.conf", '-k', 'stop'); }
isnt($rc2, 0, 'httpd without mod_socache_shmcb refuses to start');
like($all, qr/you must load mod_socache_shmcb/, 'and says mod_socache_shmcb is needed');

done_testing;
