# The API's documentation: /api/doc/openapi.json (OpenAPI 3.1 from the entity metadata)
# and /api/doc, the swagger-ui page over it, with its assets served from web/vendor/.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;

my $res = http(GET => '/api/doc/openapi.json');
is($res->{status}, 200, 'openapi.json answers 200') or diag $res->{content};
like($res->{headers}{'content-type'}, qr{^application/vnd\.oai\.openapi\+json}, 'as OpenAPI JSON');
my $doc = json_of($res);
ok($doc, 'the body is JSON') or BAIL_OUT('no document');
is($doc->{openapi}, '3.1.0', 'OpenAPI 3.1.0');
is($doc->{info}{title}, 'mod_oro API', 'title');
like($doc->{info}{version}, qr/^\d+\.\d+\.\d+$/, 'version');
is($doc->{servers}[0]{url}, base_url() . '/api', 'the server is this API');
for my $section (qw(schemas parameters responses headers)) {
    ok(ref $doc->{components}{$section} eq 'HASH' && %{ $doc->{components}{$section} },
       "components.$section");
}
ok($doc->{components}{schemas}{$_}, "shared schema $_") for qw(ResourceIdentifier Error ErrorDocument Links);

# a path and schemas for every type the metadata lists, and for its relations
my $meta = json_of(http(GET => '/api/metadata', {headers => {Accept => 'application/vnd.api+json'}}));
my @types = map { $_->{id} } @{ $meta->{data} || [] };
ok(@types >= 10, 'the metadata lists the types') or diag explain $meta;
my @missing;
for my $entity (@{ $meta->{data} }) {
    my $t = $entity->{id};
    push @missing, "/$t get"       unless $doc->{paths}{"/$t"}{get};
    push @missing, "/$t post"      unless $doc->{paths}{"/$t"}{post};
    push @missing, "/$t/{id} $_"   for grep { !$doc->{paths}{"/$t/{id}"}{$_} } qw(get patch delete);
    push @missing, "${t}$_"        for grep { !$doc->{components}{schemas}{"$t$_"} }
                                       qw(Attributes Relationships Resource);
    for my $rel (keys %{ $entity->{attributes}{relations} }) {
        push @missing, "/$t/{id}/$rel" unless $doc->{paths}{"/$t/{id}/$rel"}{get};
        push @missing, "/$t/{id}/relationships/$rel"
            unless $doc->{paths}{"/$t/{id}/relationships/$rel"}{get};
    }
    for my $field (grep { $_ ne 'id' } keys %{ $entity->{attributes}{fields} }) {
        push @missing, "$t.$field" unless $doc->{components}{schemas}{"${t}Attributes"}{properties}{$field};
    }
}
is_deeply(\@missing, [], 'every type, field and relation is documented');
ok($doc->{paths}{'/metadata'}{get} && $doc->{paths}{'/system/status'}{get}, 'the service paths');
is($doc->{components}{schemas}{contactsAttributes}{properties}{firstName}{maxLength}, 255,
   'a field schema from the definitions');
ok($doc->{components}{schemas}{usersAttributes}{properties}{password}{writeOnly}, 'password is write-only');

# every $ref resolves inside the document
sub resolve {
    my ($pointer) = @_;
    return undef unless $pointer =~ s{^#/}{};
    my $node = $doc;
    for my $part (split m{/}, $pointer) {
        $part =~ s/~1/\//g;
        $part =~ s/~0/~/g;
        return undef unless ref $node eq 'HASH' && exists $node->{$part};
        $node = $node->{$part};
    }
    return $node;
}
my ($refs, @broken) = (0);
my @todo = ($doc);
while (@todo) {
    my $node = shift @todo;
    if (ref $node eq 'ARRAY') { push @todo, @$node; next }
    next unless ref $node eq 'HASH';
    for my $key (keys %$node) {
        if ($key eq '$ref') {
            $refs++;
            push @broken, $node->{$key} unless defined resolve($node->{$key});
        }
        else { push @todo, $node->{$key} }
    }
}
ok($refs > 100, "the document uses references ($refs)");
is_deeply(\@broken, [], 'every $ref resolves');

my %operation_ids;
for my $path (values %{ $doc->{paths} }) {
    $operation_ids{ $_->{operationId} }++ for grep { ref $_ eq 'HASH' && $_->{operationId} } values %$path;
}
is_deeply([grep { $operation_ids{$_} > 1 } sort keys %operation_ids], [], 'operation ids are unique');

# the full OpenAPI 3.1 check, where the validator is installed (it is not a dependency)
SKIP: {
    skip 'python3 openapi_spec_validator is not installed', 1
        if system(q{python3 -c 'import openapi_spec_validator' >/dev/null 2>&1}) != 0;
    my $file = "$ENV{ORO_VAR}/openapi-test.json";
    open my $fh, '>', $file or die "$file: $!";
    print $fh $res->{content};
    close $fh;
    my $out = `python3 -c 'import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1])))' '$file' 2>&1`;
    is($?, 0, 'openapi-spec-validator accepts the document') or diag $out;
    unlink $file;
}

$res = http(HEAD => '/api/doc/openapi.json');
is($res->{status}, 200, 'HEAD answers 200');
ok(!length($res->{content} // ''), 'without a body');
$res = http(POST => '/api/doc/openapi.json', {content => '{}'});
is($res->{status}, 405, 'POST is refused');
is($res->{headers}{allow}, 'GET, HEAD', 'with Allow');

# the browsable page and its static assets
$res = http(GET => '/api/doc');
is($res->{status}, 200, '/api/doc answers 200');
like($res->{headers}{'content-type'}, qr{^text/html}, 'as HTML');
like($res->{content}, qr{swagger-ui}i, 'a swagger-ui page');
like($res->{content}, qr{doc/openapi\.json}, 'pointing at the document');
my @assets = $res->{content} =~ m{(?:src|href)="(/vendor/[^"]+)"}g;
is(scalar @assets, 3, 'three assets: the style, the bundle and the preset');
for my $asset (@assets) {
    my $r = http(GET => $asset);
    is($r->{status}, 200, "$asset is served") or diag 'run build/web-deps (make web-deps)';
    ok(length $r->{content} > 10_000, "$asset is the real file");
}
like(http(GET => '/vendor/swagger-ui/swagger-ui-bundle.js')->{headers}{'content-type'},
     qr{javascript}, 'the bundle as JavaScript');
is(http(PUT => '/api/doc', {content => 'x'})->{status}, 405, 'the page answers GET only');

done_testing();
