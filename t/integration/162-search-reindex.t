# Search answers throughout a rebuild: while oroctl search:reindex runs (full and for
# one type, several times), searches run continuously and none is empty or fails. The
# rebuild switches versions atomically and leaves at most two behind.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;

my ($rc, $out, $err) = oroctl('search:reindex');
is($rc, 0, 'a first index') or diag($err);

my ($word) = sql("SELECT last_name FROM orocrm_contact ORDER BY id LIMIT 1");
my $path = '/api/search?filter%5BsearchText%5D=' . lc($word) . '&filter%5Bentities%5D=contacts';
my $res = http(GET => $path);
my $doc = json_of($res);
ok($res->{status} == 200 && @{ $doc->{data} }, 'the word is found before the rebuilds');

my $pid = fork // die "fork: $!";
if ($pid == 0) {
    my $failed = 0;
    for my $args (['search:reindex'], ['search:reindex', 'contacts'], ['search:reindex'],
                  ['search:reindex', 'contacts', 'accounts']) {
        my ($c) = oroctl(@$args);
        $failed++ if $c != 0;
    }
    exit($failed ? 1 : 0);
}
my ($answers, $empty, $failed) = (0, 0, 0);
while (waitpid($pid, 1) == 0) {   # WNOHANG
    $res = http(GET => $path);
    $answers++;
    if ($res->{status} != 200) {
        $failed++;
        diag("status $res->{status}: $res->{content}") if $failed < 3;
        next;
    }
    $doc = json_of($res);
    $empty++ unless $doc && @{ $doc->{data} || [] };
}
is($? >> 8, 0, 'the rebuilds succeeded');
ok($answers > 0, "searched $answers times during the rebuilds");
is($failed, 0, 'no search failed');
is($empty, 0, 'no search came back empty');

my $index = var_dir() . '/index';
my @versions = grep { -d $_ } glob("$index/v*");
ok(@versions <= 3, 'old versions are removed (' . scalar(@versions) . ' left)');
ok(-l "$index/current", 'current is a link');
ok(!-e "$index/building", 'no rebuild is announced any more');

# --scheduled: id-range child jobs of one unique root job, run by the indexer worker
($rc, $out, $err) = oroctl('search:reindex', '--scheduled', '--range-size', '0');
is($rc, 2, 'a bad --range-size is a usage error');
sql("UPDATE orocrm_contact SET last_name = 'Scheduledzz' WHERE id = (SELECT MIN(id) FROM orocrm_contact)");
($rc, $out, $err) = oroctl('search:reindex', '--scheduled', '--range-size', '300', 'contacts');
is($rc, 0, 'a scheduled reindex is queued') or diag($err);
my ($children, $root) = $out =~ /scheduled (\d+) range jobs of root job (\d+)/;
ok($children && $children >= 2, 'split into several range jobs') or diag($out);
ok(wait_until(30, sub {
    my ($c, $o) = oroctl('jobs:list', '--root', '--name', 'oro.search.reindex');
    $o =~ /^$root\s+-\s+success\b/m;
}), 'the root job ends in success');
($res) = http(GET => '/api/search?filter%5BsearchText%5D=scheduledzz');
$doc = json_of($res);
is(scalar @{ $doc->{data} || [] } >= 1 ? 1 : 0, 1, 'the ranges were indexed into the live index');

done_testing();
