# The API's writes wake the consumers after they commit (PostgreSQL): the search
# message is enqueued in the write's transaction without a NOTIFY, and a NOTIFY in a
# short transaction of its own follows the commit, to the worker that registered last
# as waiting for the queue (oro_message_waiting, docs/decisions.md "API write
# performance"). This test registers a session of its own as that worker: it must be
# notified for every kind of write, and a write that is refused must send nothing.
use strict;
use warnings;
use Test::More;
use IPC::Open2;
use IO::Select;
use JSON::PP;
use Time::HiRes qw(time sleep);
use OroTest;

plan skip_all => 'NOTIFY is PostgreSQL\'s; MariaDB workers poll' if ($ENV{DB} || 'pgsql') ne 'pgsql';

my $JSONAPI = 'application/vnd.api+json';
my $payload = ($ENV{MQ} || 'dbal') eq 'amqp' ? 'outbox' : 'oro.search';

# a psql session that LISTENs on the queue's channel; psql prints the notifications it
# has received after each statement it runs
my $var = var_dir();
my $pid = open2(my $from, my $to, 'psql', '-h', "$var/run", '-U', 'oro', '-d', 'oro', '-X',
                '-q', '-A', '-t');
$to->autoflush(1);
my $channel = 'oro_test_086';
print $to "LISTEN $channel;\n";
# the newest waiting row for the queue: producers pick it
sql("DELETE FROM oro_message_waiting WHERE worker = 'test-086'");
sql("INSERT INTO oro_message_waiting (worker, queue, channel, since) "
    . "VALUES ('test-086', '$payload', '$channel', now() + interval '1 day')");

# the notifications seen within $seconds (ticks make psql print them)
sub notifications {
    my ($seconds) = @_;
    my @seen;
    my $sel = IO::Select->new($from);
    my $end = time + $seconds;
    my $n = 0;
    while (time < $end) {
        $n++;
        print $to "SELECT 'tick$n';\n";
        while (1) {
            last unless $sel->can_read(5);
            my $line = <$from>;
            last unless defined $line;
            push @seen, $1 if $line =~ /^Asynchronous notification "$channel" with payload "([^"]*)"/;
            last if $line =~ /^tick$n$/;
        }
        sleep 0.1;
    }
    return @seen;
}

sub call {
    my ($method, $path, $body) = @_;
    my %opts = (headers => {Accept => $JSONAPI, 'Content-Type' => $JSONAPI});
    $opts{content} = encode_json($body) if defined $body;
    return http($method, $path, \%opts);
}

notifications(0.3); # what earlier tests left behind
my $res = call(POST => '/api/contacts',
               {data => {type => 'contacts', attributes => {firstName => 'Notify', lastName => 'Me'}}});
is($res->{status}, 201, 'a contact is created') or diag($res->{content});
my $id = json_of($res)->{data}{id};
ok((grep { $_ eq $payload } notifications(1.5)), "its commit is followed by a NOTIFY of $payload");

$res = call(PATCH => "/api/contacts/$id",
            {data => {type => 'contacts', id => "$id", attributes => {lastName => 'Again'}}});
is($res->{status}, 200, 'the contact is updated') or diag($res->{content});
ok((grep { $_ eq $payload } notifications(1.5)), 'an update notifies');

$res = call(POST => '/api/contacts',
            {data => {type => 'contacts', attributes => {firstName => 'X'},
                      relationships => {account => {data => {type => 'accounts', id => '999999999'}}}}});
is($res->{status}, 400, 'a contact naming an account that does not exist is refused');
is(scalar(grep { $_ eq $payload } notifications(1)), 0, 'a refused write notifies nobody');

$res = call(DELETE => "/api/contacts/$id");
is($res->{status}, 204, 'the contact is deleted') or diag($res->{content});
ok((grep { $_ eq $payload } notifications(1.5)), 'a delete notifies');

sql("DELETE FROM oro_message_waiting WHERE worker = 'test-086'");
close $to;
waitpid $pid, 0;
done_testing();
