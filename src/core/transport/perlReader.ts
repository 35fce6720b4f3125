// The remote reader in perl: started once per SSH connection, it answers every refresh's plan with builtins
// only (open, fstat, read, readdir, readlink, the statfs syscall), so a refresh forks nothing on the target.
// perl-base (Essential on Debian and Ubuntu, and on most RHEL-family hosts) is enough: the program uses only
// POSIX and Fcntl, both in perl-base; nothing is installed on the target.
//
// Protocol (readerRequest.ts builds the requests; batchSession.ts frames them):
//   start   `env LC_ALL=C perl -e '<PERL_BOOT>'`, then `<length>\n<PERL_READER>` on stdin. The program says
//           `\0DM-READER-1 <pid>\0` once it runs (startReader in remoteReader.ts waits for it), then loops:
//   request `DM-REQ <nonce> <length>\n<body>`, the body as readerRequest.ts describes.
//   answer  the batch output of batchScript.ts (DM-BATCH-1, F/E/L/S sections, END; ERR on failure), then
//           `\0` `0` `\0DM-DONE-<nonce>\0` (status 0 and the end marker ShellSession waits for).
// It mirrors LocalTransport.readBatch (localBatch.ts) step by step; the comments there say why each step is so.
//
// statfs: perl has no builtin, and forking df every refresh is what this reader exists to avoid. So it calls
// the statfs syscall itself on the arches whose number and 64-bit struct layout are known (x86_64: 137,
// aarch64: 43; both: f_type, f_bsize, f_blocks, f_bfree, f_bavail as the first five 64-bit words) and runs
// `df -P -k` (no shell: list-form open) only elsewhere. Its answer goes out as a df-style S record, the
// format parseBatchOutput already reads; sizes are exact when the block size is a multiple of 1 KiB.

/** Kept short and free of `'` and `!` so that any login shell (sh, bash, csh, fish) passes it through. */
export const PERL_BOOT = 'binmode STDIN;$n=<STDIN>;read(STDIN,$p,$n)==$n or exit 3;eval $p;print STDERR $@;exit 4';

export const PERL_COMMAND = `env LC_ALL=C perl -e '${PERL_BOOT}'`;

export const PERL_READER = String.raw`
use strict;
use Fcntl qw(O_RDONLY O_NONBLOCK);
use POSIX ();
binmode STDIN;
binmode STDOUT;
my %STATFS_NR = (x86_64 => 137, aarch64 => 43);
my $statfs_nr = $STATFS_NR{(POSIX::uname())[4]};
my %cgdirs;  # cgroup directory -> {name => 1}, kept across requests (a cgroup's files are fixed for its life)
my %rx;  # compiled regexes by source, across requests (a plan has a handful; bounded all the same)
my (%ls, %lit, %seen);  # per request: directory listings, literal patterns' text, cgroup dirs asked for

sub put {
  my ($s) = @_;
  my $off = 0;
  while ($off < length $s) {
    my $n = syswrite(STDOUT, $s, length($s) - $off, $off);
    exit 0 unless defined $n;  # the channel is gone
    $off += $n;
  }
}

sub list {
  my ($d) = @_;
  return $ls{$d} if exists $ls{$d};
  my @n;
  if (opendir(my $h, $d)) { @n = grep { $_ ne '.' && $_ ne '..' } readdir $h; closedir $h; }
  return $ls{$d} = \@n;
}

# Paths matching a pattern given as segments: 'L' + literal text, or 'G' + a regex for one name.
sub expand {
  my ($prefix, $segs) = @_;
  my $l = $lit{$segs} //= (grep { substr($_, 0, 1) ne 'L' } @$segs) ? 0 : join('', map {; '/' . substr($_, 1) } @$segs);
  return $prefix . $l if $l;  # no wildcard: the path as it is, without listing anything (fast path)
  my @p = ($prefix);
  for my $s (@$segs) {
    my $v = substr($s, 1);
    if (substr($s, 0, 1) eq 'L') { $_ .= "/$v" for @p; next; }
    my $re = $rx{$v} ||= qr/$v/s;
    @p = map { my $d = $_; map {; "$d/$_" } sort { $a cmp $b } grep { $_ =~ $re } @{ list($d eq '' ? '/' : $d) } } @p;
    last unless @p;
  }
  return @p;
}

sub unique { my %d; return grep { !$d{$_}++ } map { expand(@$_) } @_; }

# A regular file's content; undef for anything else. Non-blocking open, then fstat: a FIFO must not hang us.
# Where %FSTAT knows the arch: raw POSIX open/read/close and the fstat syscall (st_mode's offset in struct stat),
# about 12% less CPU than a perl file handle, which adds an ioctl, an lseek and a second fstat to every file.
my %FSTAT = (x86_64 => [5, 24], aarch64 => [80, 16]);
my ($fstat_nr, $mode_at) = @{ $FSTAT{(POSIX::uname())[4]} || [] };
my $stbuf = "\0" x 256;
sub slurp {
  my ($c, $b, $n) = ('');
  if (!defined $fstat_nr) {
    sysopen(my $fh, $_[0], O_RDONLY | O_NONBLOCK) or return undef;
    return undef unless -f $fh;
    while ($n = sysread($fh, $c, 65536, length $c)) {}
    return defined $n ? $c : undef;
  }
  my $fd = POSIX::open($_[0], O_RDONLY | O_NONBLOCK);
  return undef unless defined $fd;
  if (syscall($fstat_nr, $fd + 0, $stbuf) == 0 && (unpack("x$mode_at L", $stbuf) & 0170000) == 0100000) {
    # POSIX::read returns "0 but true" at the end of the file, undef on an error.
    while (defined($n = POSIX::read($fd, $b, 65536)) && $n > 0) { $c .= $b; }
  }
  POSIX::close($fd);
  return defined $n ? $c : undef;
}

# One F section (content split at NULs, a final NUL dropped) and its E section; records into %$got.
sub files {
  my ($out, $got, @patterns) = @_;
  my ($f, $e) = ('', '');
  for my $p (unique(@patterns)) {
    my $c = slurp($p);
    next unless defined $c;
    chop $c if substr($c, -1) eq "\0";
    $got->{$p} = $c if $got;
    if ($c eq '') { $e .= "$p\0"; } else { $f .= "$p\0$_\0" for split /\0/, $c, -1; }
  }
  $$out .= "\0F\0$f\0E\0$e";
}

sub links {
  my ($out, $got, @patterns) = @_;
  for my $p (unique(@patterns)) {
    my $t = readlink $p;
    next unless defined $t && $t ne '';
    $$out .= "$p\0$t\0";
    $got->{$p} = $t;
  }
}

sub statfs {
  my ($p) = @_;
  if (defined $statfs_nr) {
    my $b = "\0" x 256;
    return undef if syscall($statfs_nr, $p, $b) != 0;
    my (undef, $bsize, $blocks, $bfree, $bavail) = unpack('q5', $b);
    use integer;
    my ($t, $u, $av) = ($blocks * $bsize / 1024, ($blocks - $bfree) * $bsize / 1024, $bavail * $bsize / 1024);
    return "Filesystem 1024-blocks Used Available Capacity Mounted on\n- $t $u $av 0% -\n";
  }
  return undef unless -e $p;
  open(my $h, '-|', 'df', '-P', '-k', '--', $p) or return undef;
  local $/;
  my $o = <$h>;
  close $h;
  return $o;
}

sub stat_start {
  my ($st) = @_;
  my $c = rindex($st, ')');
  return undef if $c < 0 || $c + 2 > length $st;
  my $v = (split / /, substr($st, $c + 2), -1)[19];
  return defined $v && $v =~ /\A-?[0-9]+\z/ ? $v : undef;
}

# Each of @$files under root+path and root/*path of each path, only where the directory lists the name.
sub cgroup_files {
  my ($out, $root, $paths, $files) = @_;
  my (%d, @dirs, @patterns);
  for my $path (@$paths) {
    my ($head, $rest) = $path =~ m{\A([^/]*)(.*)\z}s;
    my $re = $rx{"\0$head"} ||= qr/\A(?!\.)[^\/]*\Q$head\E\z/s;
    my @star = map {; "$root/$_$rest" } sort { $a cmp $b } grep { $_ =~ $re } @{ list($root) };
    push @dirs, grep { !$d{$_}++ } ("$root$path", @star);
  }
  for my $dir (@dirs) {
    $seen{$dir} = 1;
    my $has = $cgdirs{$dir};
    if (!$has) {
      my $names = list($dir);
      next unless @$names;
      $has = $cgdirs{$dir} = { map {; $_ => 1 } @$names };
    }
    for my $f (@$files) {
      my $h = $f->[0];
      push @patterns, [$dir, $f] if substr($h, 0, 1) eq 'G' || $has->{substr($h, 1)};
    }
  }
  files($out, undef, @patterns);
}

sub answer {
  my ($body) = @_;
  %ls = (); %seen = (); %lit = ();
  %rx = () if keys %rx > 1000;
  my %q;
  for my $rec (split /\n/, $body) {
    my ($k, @f) = split /\0/, $rec, -1;
    push @{ $q{$k} }, \@f;
  }
  my $all = sub { return map { ['', $_] } @{ $q{$_[0]} || [] }; };
  my $rel = sub { my ($pre, $k) = @_; return map { [$pre, $_] } @{ $q{$k} || [] }; };
  my $out = "\0DM-BATCH-1\0";
  my (%first, %links);
  files(\$out, \%first, $all->('F'));
  my (@fact_files, @fact_links);
  if ($q{K}) {
    my @k = @{ $q{K}[0] };
    my %known;
    while (@k) { my ($pid, $start) = splice(@k, 0, 2); $known{$pid} = $start; }
    my @procs;
    for my $n (@{ list('/proc') }) {
      next unless $n =~ /\A[0-9]+\z/;
      push @procs, $n;
      my $st = $first{"/proc/$n/stat"};
      if (!defined $st) {
        # A new process the plan could not name (newFromListing): its stat too, for its start time.
        next unless $q{NL} && !exists $known{$n};
        push @fact_files, ["/proc/$n", ['Lstat']];
      } else {
        my $start = stat_start($st);
        next if defined $start && defined $known{$n} && $known{$n} eq $start;
      }
      push @fact_files, $rel->("/proc/$n", 'PF');
      push @fact_links, $rel->("/proc/$n", 'PL');
    }
    files(\$out, \%first, @fact_files);
    # The listing itself: the collector learns which processes it knows are gone without reading their stat.
    $out .= "\0P\0" . join('', map {; "$_\0" } @procs) if $q{NL};
  }
  $out .= "\0L\0";
  links(\$out, \%links, $all->('L'), @fact_links);
  if ($q{CF}) {
    my $root = $q{CR}[0][0];
    my $re = qr/$q{CP}[0][0]/;
    my %known = map {; $_->[0] => 1 } @{ $q{CK} || [] };
    my (%found, @fresh);
    for my $p (keys %first) {
      next unless $p =~ m{\A/proc/[0-9]+/cgroup\z};
      for my $line (split /\n/, $first{$p}, -1) {
        my $i = index($line, ':');
        next if $i < 0;
        my $j = index($line, ':', $i + 1);
        my $cg = $j < 0 ? '' : substr($line, $j + 1);
        push @fresh, $cg if $cg =~ $re && !$known{$cg} && !$found{$cg}++;
      }
    }
    cgroup_files(\$out, $root, [(map { $_->[0] } @{ $q{CK} || [] }), @fresh], $q{CF});
    cgroup_files(\$out, $root, \@fresh, $q{CN}) if @fresh && $q{CN};
    for my $d (keys %cgdirs) { delete $cgdirs{$d} unless $seen{$d}; }
  }
  if ($q{N} || $q{NS}) {
    my (%lowest, %sockpid, %sockns);
    while (my ($p, $t) = each %links) {
      $sockpid{$1} = 1 if $p =~ m{\A/proc/([0-9]+)/fd/[0-9]+\z} && substr($t, 0, 7) eq 'socket:';
    }
    while (my ($p, $t) = each %links) {
      next unless $p =~ m{\A/proc/([0-9]+)/ns/net\z};
      $lowest{$t} = $1 if !defined $lowest{$t} || $1 < $lowest{$t};
      $sockns{$t} = 1 if $sockpid{$1};
    }
    # Socket tables (NS) only where some process holds a socket: each read walks the kernel's whole hash table.
    files(\$out, undef, map { my $t = $_; ($rel->("/proc/$lowest{$t}", 'N'), $sockns{$t} ? $rel->("/proc/$lowest{$t}", 'NS') : ()) } keys %lowest);
  }
  $out .= "\0S\0";
  for my $p (unique($all->('S'))) {
    my $s = statfs($p);
    $out .= "$p\0$s\0" if defined $s;
  }
  # What this answer and every one before it cost the target (POSIX times, clock-tick resolution).
  my @t = times;
  $out .= sprintf("\0C\0%.2f\0", $t[0] + $t[1] + $t[2] + $t[3]);
  return "$out\0END\0";
}

put("\0DM-READER-1 $$\0");
for (;;) {
  my $head = <STDIN>;
  last unless defined $head;
  my ($nonce, $len) = $head =~ /\ADM-REQ ([0-9a-f]{32}) ([0-9]+)\n\z/ or die "bad request header\n";
  my $body = '';
  while (length $body < $len) {
    my $n = read(STDIN, $body, $len - length $body, length $body);
    exit 0 unless $n;
  }
  my $out = eval { answer($body) };
  if (!defined $out) { (my $why = $@) =~ s/[\0\n]+/ /g; $out = "\0DM-BATCH-1\0\0ERR\0perl reader: $why\0"; }
  put("$out\0" . "0\0DM-DONE-$nonce\0");
}
exit 0;
`;
