# build/stack: idempotent start, secrets, status, a busy port, stop leaving nothing.
use strict;
use warnings;
use Test::More;
use OroTest;

my $root = root_dir();
my $var = var_dir();
my $stack = "$root/build/stack";

for my $secret ("$var/admin-password", "$var/secret") {
    ok(-s $secret, "$secret exists");
    is((stat $secret)[2] & 07777, 0600, "$secret is mode 0600");
}
like(slurp("$var/admin-password"), qr/^\S{16,}\s*$/, 'the admin password is long enough');

my ($rc, $out, $err) = run_cmd($stack, 'start');
is($rc, 0, 'a second start succeeds');
like("$out$err", qr/already running/, 'and says the stack is already running');
($rc, $out) = run_cmd($stack, 'status');
is($rc, 0, 'status exits 0 when everything runs') or diag $out;

# Another stack on the port this one uses: a clear message naming the port.
{
    local $ENV{ORO_VAR} = "$var-busy";
    local $ENV{DB} = $ENV{DB};
    ($rc, $out, $err) = run_cmd($stack, 'start');
    isnt($rc, 0, 'a stack on a busy port refuses to start');
    like("$out$err", qr/port $ENV{ORO_HTTP_PORT}.*already in use/, 'naming the port') or diag "$out$err";
    run_cmd($stack, 'stop');
    system('rm', '-rf', "$var-busy");
}

# stop, stop again, nothing left; start again works on the same state
($rc, $out, $err) = run_cmd($stack, 'stop');
is($rc, 0, 'stop') or diag "$out$err";
my (undef, $pgrep_out) = run_cmd('pgrep', '-f', '--', "$var/");
my @left = grep { /\d/ } split /\s+/, $pgrep_out;
is_deeply(\@left, [], 'no process of the stack is left') or diag `ps -o pid,args -p @left`;
is(http(GET => '/api/system/status')->{status}, 599, 'nothing listens any more');
($rc, $out, $err) = run_cmd($stack, 'stop');
is($rc, 0, 'stop after stop is fine');
like("$out$err", qr/not running/, 'and says so');
($rc, $out) = run_cmd($stack, 'status');
is($rc, 3, 'status exits 3 when stopped');

($rc, $out, $err) = run_cmd($stack, 'start');
is($rc, 0, 'start after stop') or diag "$out$err";
like($out, qr{http://127\.0\.0\.1:$ENV{ORO_HTTP_PORT}/}, 'prints the URL');
like($out, qr/admin/, 'prints the admin login');
is(http(GET => '/api/system/status')->{status}, 200, 'status is 200 again');

# `make run` (build/stack run) in a terminal: Ctrl-C stops every process it started.
# script(1) gives it a pseudo-terminal, so ^C goes through the terminal as a user's does.
{
    use IPC::Open2;
    # NB: exec, so that ^C reaches build/stack itself, not an intermediate sh without a trap;
    # and SIGINT's default disposition, as in a user's terminal (a test driver started in
    # the background of a non-interactive shell inherits SIGINT ignored, which bash cannot
    # trap)
    local $SIG{INT} = 'DEFAULT';
    my $pid = open2(my $from, my $to, 'script', '-qefc', "exec $stack run", '/dev/null');
    my $seen = '';
    my $ready = eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm 120;
        while (my $line = <$from>) {
            $seen .= $line;
            last if $line =~ /Ctrl-C stops the stack/;
        }
        alarm 0;
        1;
    };
    ok($ready && $seen =~ /Ctrl-C stops the stack/, 'run prints the banner and waits') or diag $seen;
    like($seen, qr{http://127\.0\.0\.1:$ENV{ORO_HTTP_PORT}/}, 'with the URL');
    is(http(GET => '/api/system/status')->{status}, 200, 'the stack answers while run waits');
    syswrite $to, "\003";
    my $rest = eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm 60;
        my $r = '';
        while (my $line = <$from>) { $r .= $line }
        alarm 0;
        $r;
    } // '(timeout)';
    close $to;
    waitpid $pid, 0;
    is($? >> 8, 0, 'Ctrl-C ends run with exit status 0') or diag "$seen$rest";
    ok(wait_until(30, sub { (run_cmd($stack, 'status'))[0] == 3 }), 'every component is stopped');
    my $left_out = '';
    wait_until(30, sub { (undef, $left_out) = run_cmd('pgrep', '-f', '--', "$var/"); $left_out eq '' });
    is($left_out, '', 'no process of the stack is left after Ctrl-C');
}

# the tests after this one (1xx) need the stack again
($rc, $out, $err) = run_cmd($stack, 'start');
is($rc, 0, 'the stack starts again for the tests that follow') or diag "$out$err";

done_testing;
