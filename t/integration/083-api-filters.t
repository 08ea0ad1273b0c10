# Every filter operator on every field type and relation kind, and sorting on each type,
# checked against expectations computed here from records this test creates — so
# PostgreSQL and MariaDB must give the same answers. Also page[size]=-1 where allowed.
# The records are deleted at the end.
use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use OroTest;

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $JSONAPI = 'application/vnd.api+json';
my $json = JSON::PP->new->utf8->canonical;
sub call {
    my ($method, $path, $body) = @_;
    my %h = (Accept => $JSONAPI);
    my %opts = (headers => \%h);
    if (defined $body) {
        $h{'Content-Type'} = $JSONAPI;
        $opts{content} = $json->encode($body);
    }
    my $res = http($method, $path, \%opts);
    return ($res, json_of($res));
}
sub esc { my $s = shift; utf8::encode($s); $s =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge; return $s }

my ($org, $owner) = (1, 1);
my %own = (owner => {data => {type => 'users', id => "$owner"}},
           organization => {data => {type => 'organizations', id => "$org"}});
my %created; # type => [ids], for the cleanup
sub create {
    my ($type, $attributes, $relationships) = @_;
    my %ownership = (organizations => 'none', categories => 'organization', products => 'organization');
    my $ownership = $ownership{$type} || 'user';
    my %rel = $ownership eq 'none' ? () : $ownership eq 'organization' ? (organization => $own{organization}) : %own;
    while (my ($name, $target) = each %{ $relationships || {} }) {
        my ($ttype, $ids) = @$target;
        $rel{$name} = {data => ref $ids ? [map { {type => $ttype, id => "$_"} } @$ids]
                                        : defined $ids ? {type => $ttype, id => "$ids"} : undef};
    }
    my ($res, $doc) = call(POST => "/api/$type",
        {data => {type => $type, attributes => $attributes, relationships => \%rel}});
    $res->{status} == 201 or BAIL_OUT("could not create a $type fixture: $res->{status} $res->{content}");
    push @{ $created{$type} }, $doc->{data}{id};
    return $doc->{data}{id};
}

my $tag = 'F083' . $$;
# --- fixtures
my @orgs = map { create('organizations', {name => "$tag org $_->[0]", enabled => $_->[1]}) }
    (['a', JSON::PP::true], ['b', JSON::PP::false], ['c', JSON::PP::true]);
my @accounts = map { create('accounts', {name => $_}) } ("$tag Alpha", "$tag beta", "$tag Gamma%");
my @categories = map { create('categories', {title => $_}) } ("$tag K1", "$tag K2");

# contacts: [firstName, lastName, primaryEmail, primaryPhone, gender, birthday, description, jobTitle, account index]
my @contact_rows = (
    ['Ann',   'Smith',    'ann@example.com',  '+1 555 0100',      'female', '1980-01-15', 'Likes 100% cotton',    'CEO',      0],
    ['anna',  'smith',    'ANNA@Example.org', '+44 20 7946 0000', 'female', '1990-06-30', 'under_score and more', undef,      0],
    ['Bob',   'Smithers', undef,              undef,              'male',   '1975-12-31', undef,                  'cto',      1],
    ['Bobby', "O'Brien",  'bob@example.com',  '555-0199',         'other',  undef,        'back\\slash here',     'Engineer', undef],
    ['Zed',   'Zulu',     'zed@example.net',  '555 0100',         undef,    '2000-02-29', 'Hello World',          'ceo',      2],
    ['Émile', 'Zola',     'emile@example.fr', undef,              'male',   '1840-04-02', "J'ACCUSE é",           'Écrivain', 1],
);
my @contact_fields = qw(firstName lastName primaryEmail primaryPhone gender birthday description jobTitle);
my (@contacts, %value);
for my $row (@contact_rows) {
    my %a;
    for my $i (0 .. $#contact_fields) { $a{ $contact_fields[$i] } = $row->[$i] if defined $row->[$i] }
    my $id = create('contacts', \%a, {account => ['accounts', defined $row->[8] ? $accounts[$row->[8]] : undef]});
    push @contacts, $id;
    $value{contacts}{$id} = {%a, account => defined $row->[8] ? $accounts[$row->[8]] : undef};
}
# createdAt (datetime): fixed, distinct, one shared, set in the database
my @created_at = ('2020-01-01 08:00:00', '2020-01-02 09:30:00', '2020-01-02 09:30:00',
                  '2021-06-15 23:59:59', '2019-12-31 00:00:00', '2022-02-28 12:00:00');
for my $i (0 .. $#contacts) {
    sql("UPDATE orocrm_contact SET created_at = '$created_at[$i]' WHERE id = $contacts[$i]");
    (my $iso = $created_at[$i]) =~ s/ /T/;
    $value{contacts}{ $contacts[$i] }{createdAt} = "${iso}Z";
}

# opportunities: [name, status, probability, budget, closeDate, contact index]
my @opportunity_rows = (
    ['Deal one',   'in_progress', '0.1',  '100.00',   '2026-01-31', 0],
    ['deal two',   'won',         '0.25', '2500.50',  '2026-03-01', 0],
    ['Big deal',   'lost',        '0.5',  '99999.99', undef,        1],
    ['Small_deal', 'won',         undef,  '0',        '2025-12-31', undef],
    ['Other',      'in_progress', '0.75', undef,      '2026-01-31', 4],
);
my @opportunities;
for my $row (@opportunity_rows) {
    my %a = (name => $row->[0], status => $row->[1]);
    $a{probability} = $row->[2] if defined $row->[2];
    $a{budget} = $row->[3] if defined $row->[3];
    $a{closeDate} = $row->[4] if defined $row->[4];
    my $contact = defined $row->[5] ? $contacts[ $row->[5] ] : undef;
    my $id = create('opportunities', \%a, {contact => ['contacts', $contact]});
    push @opportunities, $id;
    $value{opportunities}{$id} = {%a, contact => $contact};
    push @{ $value{contacts}{$contact}{opportunities} }, $id if defined $contact;
}
$value{contacts}{$_}{opportunities} ||= [] for @contacts;

# products: [sku, name, inventory, price, status, category indexes]
my @product_rows = (
    ["$tag-A", 'Widget', 0,   '9.99',    'enabled',  [0]],
    ["$tag-B", 'widget', 5,   '10',      'enabled',  [0, 1]],
    ["$tag-C", 'Gadget', -3,  '0.5',     'disabled', []],
    ["$tag-D", 'Gizmo',  100, '1234.56', 'enabled',  [1]],
);
my @products;
for my $row (@product_rows) {
    my %a = (sku => $row->[0], name => $row->[1], inventory => $row->[2], price => $row->[3], status => $row->[4]);
    my @cats = map { $categories[$_] } @{ $row->[5] };
    my $id = create('products', \%a, {categories => ['categories', \@cats]});
    push @products, $id;
    $value{products}{$id} = {%a, categories => \@cats};
}
for my $i (0 .. $#orgs) {
    $value{organizations}{ $orgs[$i] } = {enabled => $i == 1 ? 0 : 1, name => "$tag org " . ('a' .. 'c')[$i]};
}

# --- the expected answer of one filter, computed here
my %class = (string => [qw(firstName lastName primaryEmail primaryPhone jobTitle name sku)],
             text => [qw(description)],
             enum => [qw(gender status)],
             date => [qw(birthday closeDate)],
             datetime => [qw(createdAt)],
             number => [qw(probability budget inventory price)],
             boolean => [qw(enabled)],
             to_one => [qw(account contact)],
             to_many => [qw(opportunities categories)]);
my %class_of;
for my $c (keys %class) { $class_of{$_} = $c for @{ $class{$c} } }

sub compare {
    my ($c, $x, $y) = @_;
    return $x <=> $y if $c eq 'number' || $c eq 'to_one';
    return $x cmp $y;
}
sub norm {
    my ($c, $v) = @_;
    return $v =~ /^(true|1|yes)$/ ? 1 : 0 if $c eq 'boolean';
    if ($c eq 'datetime') { $v =~ s/(\+00:00|Z)?$/Z/; }
    return $v;
}
sub positive {
    my ($c, $stored, $op, $value) = @_;
    if ($c eq 'to_many') {
        my %in = map { $_ => 1 } split /,/, $value;
        return scalar grep { $in{$_} } @$stored;
    }
    return 0 unless defined $stored;
    $stored = norm($c, $stored) if $c eq 'boolean';
    if ($op eq 'eq') {
        my ($from, $to) = $value =~ /^(.*)\.\.(.*)$/;
        if (defined $from && $c =~ /^(number|date|datetime)$/) {
            return compare($c, $stored, norm($c, $from)) >= 0 && compare($c, $stored, norm($c, $to)) <= 0;
        }
        return scalar grep { compare($c, $stored, norm($c, $_)) == 0 } split /,/, $value;
    }
    my $s = lc $stored;
    my $v = lc $value;
    return index($s, $v) >= 0 if $op eq 'contains';
    return substr($s, 0, length $v) eq $v if $op eq 'starts_with';
    return length($s) >= length($v) && substr($s, -length $v) eq $v if $op eq 'ends_with';
    my $cmp = compare($c, $stored, norm($c, $value));
    return $op eq 'lt' ? $cmp < 0 : $op eq 'lte' ? $cmp <= 0 : $op eq 'gt' ? $cmp > 0 : $cmp >= 0;
}
sub matches {
    my ($c, $stored, $op, $value) = @_;
    if ($op eq 'exists') {
        my $has = $c eq 'to_many' ? @$stored > 0 : defined $stored;
        return norm('boolean', $value) ? $has : !$has;
    }
    my %negation = (neq => 'eq', neq_or_null => 'eq', not_contains => 'contains',
                    not_starts_with => 'starts_with', not_ends_with => 'ends_with');
    if (my $pos = $negation{$op}) {
        return !positive($c, $stored, $pos, $value) if $c eq 'to_many';
        return 1 if !defined $stored && $op eq 'neq_or_null';
        return 0 if !defined $stored; # SQL: NULL is neither equal nor different
        return !positive($c, $stored, $pos, $value);
    }
    return positive($c, $stored, $op, $value);
}

my %fixture_ids = (contacts => \@contacts, opportunities => \@opportunities, products => \@products,
                   organizations => \@orgs);
my $checked = 0;
sub check_filter {
    my ($type, $field, $op, $value) = @_;
    my $c = $class_of{$field} or die "no class for $field";
    my @expected = grep { matches($c, $value{$type}{$_}{$field}, $op, $value) } @{ $fixture_ids{$type} };
    my $key = $op eq 'eq' ? "filter[$field]" : "filter[$field][$op]";
    my $path = "/api/$type?filter[id]=" . join(',', @{ $fixture_ids{$type} }) .
               '&' . esc($key) . '=' . esc($value) . '&sort=id&page[size]=100';
    my ($res, $doc) = call(GET => $path);
    my $name = "$type $key=$value";
    if ($res->{status} != 200) {
        fail($name);
        diag "$res->{status} $res->{content}";
        return;
    }
    $checked++;
    is_deeply([map { $_->{id} } @{ $doc->{data} }], [map {"$_"} @expected], $name);
}

# the operators each class of field takes
my @text_ops = qw(contains not_contains starts_with not_starts_with ends_with not_ends_with);
my %ops_of = (string => ['eq', 'neq', 'neq_or_null', 'exists', @text_ops],
              text => ['exists', @text_ops],
              enum => [qw(eq neq neq_or_null exists)],
              boolean => [qw(eq neq neq_or_null exists)],
              number => [qw(eq neq neq_or_null exists lt lte gt gte)],
              date => [qw(eq neq neq_or_null exists lt lte gt gte)],
              datetime => [qw(eq neq neq_or_null exists lt lte gt gte)],
              to_one => [qw(eq neq neq_or_null exists)],
              to_many => [qw(eq neq neq_or_null exists)]);

# probe values of one field: each stored value, a list of two, a case variant, a range,
# substrings and LIKE metacharacters for text
sub probes {
    my ($type, $field, $op) = @_;
    my $c = $class_of{$field};
    my @stored = grep { defined } map { my $v = $value{$type}{$_}{$field}; ref $v ? @$v : $v }
        @{ $fixture_ids{$type} };
    my %seen;
    @stored = grep { !$seen{$_}++ } @stored;
    return ('true', 'false', '0', 'yes') if $op eq 'exists';
    return ('true', 'false') if $c eq 'boolean';
    my @sorted = sort { compare($c, $a, $b) } @stored;
    my @p = ($sorted[0], $sorted[$#sorted / 2], $sorted[-1]);
    if ($op =~ /contains|starts_with|ends_with/) {
        return ('smi', 'SMI', 'ann', '%', '_', '\\', "'", 'É', 'é', '100% c', 'o', 'zzz') if $field ne 'sku';
        return ("$tag-", '-a', 'f083');
    }
    push @p, "$sorted[0],$sorted[-1]" if @sorted > 1 && $op =~ /^(eq|neq|neq_or_null)$/;
    if ($c eq 'string' || $c eq 'enum') {
        push @p, uc $sorted[0], 'nobody' if $c eq 'string'; # eq is case-sensitive on both
    }
    if ($op eq 'eq' && $c =~ /^(number|date|datetime)$/ && @sorted > 2) {
        push @p, "$sorted[1]..$sorted[-2]", "$sorted[-1]..$sorted[-1]";
    }
    return @p;
}

my @fields = (
    [contacts => qw(firstName lastName primaryEmail primaryPhone jobTitle gender birthday description createdAt account opportunities)],
    [opportunities => qw(name status probability budget closeDate contact)],
    [products => qw(sku name inventory price status categories)],
    [organizations => qw(enabled)],
);
for my $f (@fields) {
    my ($type, @names) = @$f;
    for my $field (@names) {
        for my $op (@{ $ops_of{ $class_of{$field} } }) {
            check_filter($type, $field, $op, $_) for probes($type, $field, $op);
        }
    }
}
cmp_ok($checked, '>', 400, "every operator on every field type ($checked answers checked)");

# --- the operators a field type does not take: 400 naming the parameter
my %refused = (string => [qw(lt gte)], text => [qw(eq neq lt)], enum => [qw(lt contains)],
               boolean => [qw(gt starts_with)], number => [qw(contains ends_with)],
               date => [qw(contains)], to_one => [qw(lt contains)], to_many => [qw(gt not_contains)]);
my %example = (string => 'firstName', text => 'description', enum => 'gender', date => 'birthday',
               number => 'inventory', boolean => 'enabled', to_one => 'account', to_many => 'opportunities');
my %type_of = (inventory => 'products', enabled => 'organizations');
for my $c (sort keys %refused) {
    my $field = $example{$c};
    my $type = $type_of{$field} || 'contacts';
    for my $op (@{ $refused{$c} }) {
        my ($res, $doc) = call(GET => "/api/$type?" . esc("filter[$field][$op]") . '=1');
        is($res->{status}, 400, "$c $field does not take $op");
        is($doc->{errors}[0]{source}{parameter}, "filter[$field][$op]", '… source.parameter names it');
    }
}

# --- sorting on each type: code-point order for text (the same on both databases),
# NULLs last ascending and first descending, id as the tie-breaker
sub sort_check {
    my ($type, $field, $desc) = @_;
    my $c = $class_of{$field};
    my @ids = @{ $fixture_ids{$type} };
    my @expected = sort {
        my ($x, $y) = ($value{$type}{$a}{$field}, $value{$type}{$b}{$field});
        my $r = !defined $x && !defined $y ? 0 : !defined $x ? 1 : !defined $y ? -1
              : compare($c, norm($c, $x), norm($c, $y));
        $r = -$r if $desc;
        $r || $a <=> $b;
    } @ids;
    my ($res, $doc) = call(GET => "/api/$type?filter[id]=" . join(',', @ids) . '&sort=' . ($desc ? '-' : '') . "$field&page[size]=100");
    is_deeply([map { $_->{id} } @{ $doc->{data} || [] }], [map {"$_"} @expected],
              "$type sort=" . ($desc ? '-' : '') . $field) or diag $res->{content};
}
for my $f (['contacts', qw(firstName lastName primaryEmail jobTitle gender birthday createdAt account)],
           ['opportunities', qw(name probability budget closeDate)],
           ['products', qw(sku name inventory price)],
           ['organizations', qw(enabled)]) {
    my ($type, @names) = @$f;
    for my $field (@names) { sort_check($type, $field, 0); sort_check($type, $field, 1) }
}

# --- page[size]=-1: every record where the type allows it, else 400
my ($count) = sql('SELECT COUNT(*) FROM oro_organization');
my ($res, $doc) = call(GET => '/api/organizations?page[size]=-1');
is($res->{status}, 200, 'page[size]=-1 on organizations');
is(scalar @{ $doc->{data} }, $count, 'lists every organization');
ok(!$doc->{links}{next}, 'and has no next page');
($res, $doc) = call(GET => '/api/roles?page[size]=-1&sort=id');
is($res->{status}, 200, 'page[size]=-1 on roles');
($res, $doc) = call(GET => '/api/contacts?page[size]=-1');
is($res->{status}, 400, 'page[size]=-1 on contacts is refused');
is($doc->{errors}[0]{source}{parameter}, 'page[size]', '… naming page[size]');
($res) = call(GET => '/api/organizations?page[size]=-2');
is($res->{status}, 400, 'page[size]=-2 is refused everywhere');

# --- cleanup, dependents first
for my $type (qw(opportunities contacts products categories accounts organizations)) {
    for my $id (@{ $created{$type} || [] }) {
        my ($r) = call(DELETE => "/api/$type/$id");
        $r->{status} == 204 or diag "cleanup of $type $id: $r->{status} $r->{content}";
    }
}
done_testing;
