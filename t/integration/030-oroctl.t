# oroctl: help, exit codes, schema:update applying numbered migrations once, in a
# transaction where the database allows, under a lock.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use OroTest;

my $oroctl = out_dir() . '/oroctl';
my $config = config_path();
my $db = $ENV{DB} || 'pgsql';

my ($rc, $out, $err) = run_cmd($oroctl, '--help');
is($rc, 0, '--help exits 0');
like($out, qr/schema:update/, '--help lists schema:update');
like($out, qr/exit codes:/, '--help documents exit codes');
for my $cmd (qw(schema:update schema:status config:check)) {
    ($rc, $out) = run_cmd($oroctl, $cmd, '--help');
    is($rc, 0, "$cmd --help exits 0");
    like($out, qr/^usage: oroctl .*\Q$cmd\E/, "$cmd --help shows its usage");
    ($rc, $out) = run_cmd($oroctl, 'help', $cmd);
    like($out, qr/^usage: oroctl .*\Q$cmd\E/, "help $cmd shows its usage");
}
($rc, $out) = run_cmd($oroctl, '--version');
like($out, qr/^oroctl \d+\.\d+\.\d+$/m, '--version');

($rc, $out, $err) = run_cmd($oroctl, '--config', $config, 'no:such');
is($rc, 2, 'unknown command exits 2');
like($err, qr/unknown command "no:such"/, 'and names it');
($rc, $out, $err) = run_cmd($oroctl, '--bogus');
is($rc, 2, 'unknown option exits 2');
($rc, $out, $err) = run_cmd($oroctl, '--config');
is($rc, 2, '--config without a file exits 2');
($rc, $out, $err) = run_cmd($oroctl, '--config', $config, 'schema:update', '--frobnicate');
is($rc, 2, 'unknown command option exits 2');
like($err, qr/unknown option "--frobnicate"/, 'and names it');
($rc, $out, $err) = run_cmd($oroctl, '--config', '/nonexistent/httpd.conf', 'schema:status');
is($rc, 3, 'missing config file exits 3');
like($err, qr{could not open configuration file "/nonexistent/httpd.conf"}, 'and names the path');

($rc, $out, $err) = run_cmd($oroctl, '--config', $config, 'config:check');
is($rc, 0, 'config:check accepts the stack configuration') or diag $err;
like($out, qr/database:\s+\Q$db\E/, 'config:check summarises the database');

# The stack applied the migrations at provisioning; again is a no-op.
($rc, $out, $err) = run_cmd($oroctl, '--config', $config, 'schema:update');
is($rc, 0, 'schema:update again exits 0') or diag $err;
like($out, qr/\(0 migration\(s\) applied now/, 'and applies nothing');
($rc, $out) = run_cmd($oroctl, '--config', $config, 'schema:status');
is($rc, 0, 'schema:status: nothing pending');
like($out, qr/^applied\s+0001_consumer_heartbeat\.sql$/m, 'lists the applied migration');

# A copy of the schema directory with extra migrations, through a config that
# includes the stack's and points OroSchemaDir at the copy.
my $tmp = tempdir(CLEANUP => 1);
chmod 0755, $tmp;
my $dialect_dir = "$tmp/schema/$db";
mkdir "$tmp/schema"; mkdir $dialect_dir;
my $root = root_dir();
copy($_, $dialect_dir) for glob("$root/dbd_schema/$db/*.sql");
open my $fh, '>', "$tmp/test.conf" or die;
print $fh "Include $config\nOroSchemaDir $tmp/schema\n";
close $fh;
my $suffix = $$;
sub write_migration {
    my ($name, $sql) = @_;
    open my $m, '>', "$dialect_dir/$name" or die; print $m $sql; close $m;
}
write_migration("9001_t$suffix.sql",
    "-- a comment; with a semicolon\nCREATE TABLE oro_t$suffix (id integer PRIMARY KEY, note varchar(20) DEFAULT 'a;b');\n"
    . "INSERT INTO oro_t$suffix (id) VALUES (1);\n");

($rc, $out, $err) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:update', '--dry-run');
is($rc, 0, '--dry-run exits 0') or diag $err;
like($out, qr/-- pending: 9001_t$suffix\.sql/, '--dry-run names the pending migration');
like($out, qr/CREATE TABLE oro_t$suffix/, '--dry-run prints its DDL');
($rc, $out) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:status');
is($rc, 1, 'schema:status exits 1 while a migration is pending');
like($out, qr/^pending\s+9001_t$suffix\.sql$/m, '--dry-run changed nothing');

($rc, $out, $err) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:update');
is($rc, 0, 'schema:update applies the new migration') or diag $err;
like($out, qr/^applied 9001_t$suffix\.sql$/m, 'and says so');
($rc, $out, $err) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:update');
like($out, qr/\(0 migration\(s\) applied now/, 'a second run applies nothing');

# A failing migration: on PostgreSQL the whole file rolls back, so fixing it and
# running again succeeds; the error names the file and the statement.
write_migration("9002_t$suffix.sql",
    "CREATE TABLE oro_u$suffix (id integer PRIMARY KEY);\nTHIS IS NOT SQL;\n");
($rc, $out, $err) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:update');
is($rc, 1, 'a failing migration exits 1');
like($err, qr/migration 9002_t$suffix\.sql failed at statement 2/, 'the error names file and statement');
($rc, $out) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:status');
like($out, qr/^pending\s+9002_t$suffix\.sql$/m, 'the failed migration stays pending');
if ($db eq 'pgsql') {
    write_migration("9002_t$suffix.sql", "CREATE TABLE oro_u$suffix (id integer PRIMARY KEY);\n");
    ($rc, $out, $err) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:update');
    is($rc, 0, 'PostgreSQL rolled the failed migration back: the fixed one applies') or diag $err;
} else {
    write_migration("9002_t$suffix.sql", "CREATE TABLE IF NOT EXISTS oro_u$suffix (id integer PRIMARY KEY);\n");
    ($rc, $out, $err) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:update');
    is($rc, 0, 'the fixed migration applies') or diag $err;
}

# Two concurrent runs apply a new migration exactly once.
write_migration("9003_t$suffix.sql", "CREATE TABLE oro_v$suffix (id integer PRIMARY KEY);\n");
my @kids;
for my $n (1, 2) {
    my $pid = fork // die;
    if (!$pid) {
        open STDOUT, '>', "$tmp/run$n.out"; open STDERR, '>', "$tmp/run$n.err";
        exec $oroctl, '--config', "$tmp/test.conf", 'schema:update';
    }
    push @kids, $pid;
}
my @codes = map { waitpid($_, 0); $? >> 8 } @kids;
is_deeply(\@codes, [0, 0], 'both concurrent runs succeed')
    or diag slurp("$tmp/run1.err") . slurp("$tmp/run2.err");
my $applied = () = (slurp("$tmp/run1.out") . slurp("$tmp/run2.out")) =~ /^applied 9003_/mg;
is($applied, 1, 'the migration was applied by exactly one of them');

# Bad migration file names are refused before touching the database.
write_migration("notes.txt", "hello");
($rc, $out, $err) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:update');
is($rc, 3, 'a stray file in the migrations directory is a configuration error');
like($err, qr/notes\.txt" is not named NNNN_description\.sql/, 'and names the file');
unlink "$dialect_dir/notes.txt";

# Clean up: drop the test tables and forget the test migrations.
write_migration("9004_t$suffix.sql",
    "DROP TABLE oro_t$suffix;\nDROP TABLE oro_u$suffix;\nDROP TABLE oro_v$suffix;\n"
    . "DELETE FROM oro_migrations WHERE version >= 9001;\n");
($rc, $out, $err) = run_cmd($oroctl, '--config', "$tmp/test.conf", 'schema:update');
is($rc, 0, 'cleanup migration') or diag $err;
($rc, $out) = run_cmd($oroctl, '--config', $config, 'schema:status');
is($rc, 0, 'the real schema is intact and up to date');

done_testing;
