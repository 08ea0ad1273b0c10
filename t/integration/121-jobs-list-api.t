# oroctl jobs:list / jobs:cancel (options, exit codes) and GET /api/jobs (JSON:API list
# with status and progress, filters, paging, bad input).
use strict;
use warnings;
use Test::More;
use OroTest;

my $jobtool = out_dir() . '/t/jobtool';
my $config = config_path();
my $tag = "l$$";

sub jt {
    my ($rc, $out) = run_cmd($jobtool, $config, @_);
    $out =~ s/\s+$//;
    return $out;
}

# Three root jobs of a name of our own: one running with children, one ended.
my ($r1, $run1) = jt('run-root', '-', "list-$tag", 1) =~ /^started (\d+) (\d+)$/;
ok($r1, 'a root job to list');
my $k1 = jt('child', $r1, "list-kid-$tag");
jt('start', $k1);
jt('progress', $k1, '0.5');
my ($r2, $run2) = jt('run-root', '-', "list-$tag-b", 0) =~ /^started (\d+) (\d+)$/;
jt('finish', $run2, 'success');

# --- oroctl jobs:list
my ($rc, $out, $err) = oroctl('jobs:list', '--name', "list-$tag");
is($rc, 0, 'jobs:list exits 0') or diag $err;
like($out, qr/^ID\s+ROOT\s+STATUS\s+PROGRESS/m, 'with a header');
like($out, qr/^$r1\s+-\s+running\s+25\.0%/m, 'the root with its progress: the mean of its children (0 + 0.5) / 2');
like($out, qr/^$run1\s+$r1\s+running\s+0\.0%/m, 'its run child');
unlike($out, qr/list-kid/, 'other names are left out');
($rc, $out) = oroctl('jobs:list', '--root', "--name=list-$tag");
is(scalar(() = $out =~ /^\d+ /mg), 1, '--root lists the root only');
($rc, $out) = oroctl('jobs:list', '--status', 'success', '--name', "list-$tag-b");
like($out, qr/^$run2\s+$r2\s+success\s+100\.0%/m, '--status success');
like($out, qr/^$r2\s+-\s+success/m, 'the ended root too');
($rc, $out) = oroctl('jobs:list', '--status', 'running', '--name', "list-$tag-b");
unlike($out, qr/^\d+ /m, 'and nothing running of that name');
($rc, $out) = oroctl('jobs:list', '--limit', '1');
is(scalar(() = $out =~ /^\d+ /mg), 1, '--limit 1 lists one job');

for my $bad (['--status', 'done'], ['--status'], ['--limit', '0'], ['--limit', 'x'], ['--bogus']) {
    ($rc, $out, $err) = oroctl('jobs:list', @$bad);
    is($rc, 2, "jobs:list @$bad exits 2");
    like($err, qr/jobs:list: /, 'with a message');
}
($rc, $out, $err) = oroctl('jobs:cancel');
is($rc, 2, 'jobs:cancel without an id exits 2');
($rc, $out, $err) = oroctl('jobs:cancel', 'abc');
is($rc, 2, 'jobs:cancel with a bad id exits 2');
like($err, qr/"abc" is not a job id/, 'and names it');
($rc, $out, $err) = oroctl('jobs:cancel', '999999999');
is($rc, 1, 'jobs:cancel of an unknown job exits 1');
like($err, qr/there is no job 999999999/, 'and says so');
($rc, $out, $err) = run_cmd(out_dir() . '/oroctl', 'jobs:list', '--help');
like($out, qr/^usage: oroctl .*jobs:list/, 'jobs:list --help');

# --- GET /api/jobs
my $res = http(GET => "/api/jobs?filter[name]=list-$tag&filter[root]=true");
is($res->{status}, 200, '/api/jobs answers 200') or diag $res->{content};
like($res->{headers}{'content-type'}, qr{application/vnd\.api\+json}, 'as JSON:API');
my $doc = json_of($res);
is(scalar @{$doc->{data}}, 1, 'filter[name] and filter[root]');
my $j = $doc->{data}[0];
is($j->{type}, 'jobs', 'type jobs');
is($j->{id}, $r1, 'the root job');
is($j->{attributes}{status}, 'running', 'with its status');
is(sprintf('%.2f', $j->{attributes}{progress}), '0.25', 'and progress');
ok($j->{attributes}{unique}, 'unique');
like($j->{attributes}{createdAt}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'ISO 8601 times');
is($j->{relationships}{rootJob}{data}, undef, 'a root has no root job');

$doc = json_of(http(GET => "/api/jobs?filter[rootJob]=$r1"));
is_deeply([sort map { $_->{id} } @{$doc->{data}}], [sort { $a <=> $b } $run1, $k1], 'filter[rootJob] lists the children');
is($doc->{data}[0]{relationships}{rootJob}{data}{id}, $r1, 'which point to their root');
$doc = json_of(http(GET => "/api/jobs?filter[status]=success,failed&filter[name]=list-$tag-b"));
is(scalar @{$doc->{data}}, 2, 'filter[status] takes a list');

$res = http(GET => '/api/jobs?page[size]=1&page[number]=2', {headers => {'X-Include' => 'totalCount'}});
$doc = json_of($res);
is(scalar @{$doc->{data}}, 1, 'page[size]=1');
ok($res->{headers}{'x-include-total-count'} >= 5, 'X-Include: totalCount');
like($doc->{links}{next}, qr/page\[number\]=3/, 'a next link');
like($doc->{links}{prev}, qr/page\[number\]=1/, 'a prev link');

for my $bad ('filter[status]=done', 'filter[root]=maybe', 'filter[rootJob]=x', 'filter[owner]=1',
             'page[size]=0', 'page[size]=100000', 'page[number]=-1', 'page[offset]=1',
             'filter[name]=' . ('x' x 300), 'filter[status]=%ff') {
    $res = http(GET => "/api/jobs?$bad");
    is($res->{status}, 400, "$bad: 400");
    my $e = json_of($res);
    ok($e && $e->{errors}[0]{detail}, "$bad: with an error document");
}
$res = http(DELETE => '/api/jobs');
is($res->{status}, 405, 'DELETE /api/jobs: 405');
is($res->{headers}{allow}, 'GET, HEAD', 'with Allow');

done_testing();
