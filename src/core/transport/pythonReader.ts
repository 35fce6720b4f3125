// The remote reader in python3, for hosts without perl: the same protocol and steps as perlReader.ts (read
// that file's header), with the standard library's os, re and stat only. statfs is os.statvfs (no fork, any
// arch); its f_bsize and f_blocks are statfs(2)'s, as LocalTransport's statfsSync reports them.

/** Kept free of `'` and `!` so that any login shell passes it through. */
export const PYTHON_BOOT = 'import sys;i=sys.stdin.buffer;exec(i.read(int(i.readline())))';

export const PYTHON_COMMAND = `env LC_ALL=C python3 -c '${PYTHON_BOOT}'`;

export const PYTHON_READER = String.raw`
import os, re, stat, sys

inp = sys.stdin.buffer
cgdirs = {}  # cgroup directory -> set of its names, kept across requests (a cgroup's files are fixed for its life)
rx = {}

def put(s):
    view = memoryview(s)
    try:
        while view:
            view = view[os.write(1, view):]
    except OSError:
        sys.exit(0)  # the channel is gone

def compiled(src):
    r = rx.get(src)
    if r is None:
        # The regexes end in perl's \z; Python spells "end of string" \Z.
        r = rx[src] = re.compile(src[:-2] + b'\\Z' if src.endswith(b'\\z') else src, re.S)
    return r

class Request:
    def __init__(self):
        self.ls = {}
        self.seen = set()

    def list(self, d):
        names = self.ls.get(d)
        if names is None:
            try:
                names = os.listdir(d)
            except OSError:
                names = []
            self.ls[d] = names
        return names

    def expand(self, prefix, segs):
        ps = [prefix]
        for s in segs:
            v = s[1:]
            if s[:1] == b'L':
                ps = [p + b'/' + v for p in ps]
                continue
            r = compiled(v)
            ps = [p + b'/' + n for p in ps for n in sorted(n for n in self.list(p or b'/') if r.match(n))]
            if not ps:
                break
        return ps

    def unique(self, patterns):
        seen, out = set(), []
        for prefix, segs in patterns:
            for p in self.expand(prefix, segs):
                if p not in seen:
                    seen.add(p)
                    out.append(p)
        return out

def slurp(p):
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        parts = []
        while True:
            b = os.read(fd, 65536)
            if not b:
                return b''.join(parts)
            parts.append(b)
    except OSError:
        return None
    finally:
        os.close(fd)

def files(q, out, got, patterns):
    f, e = [], []
    for p in q.unique(patterns):
        c = slurp(p)
        if c is None:
            continue
        if c.endswith(b'\0'):
            c = c[:-1]
        if got is not None:
            got[p] = c
        if c == b'':
            e.append(p + b'\0')
        else:
            for chunk in c.split(b'\0'):
                f.append(p + b'\0' + chunk + b'\0')
    out.append(b'\0F\0' + b''.join(f) + b'\0E\0' + b''.join(e))

def links(q, out, got, patterns):
    for p in q.unique(patterns):
        try:
            t = os.readlink(p)
        except OSError:
            continue
        if t:
            out.append(p + b'\0' + t + b'\0')
            got[p] = t

def statfs(p):
    try:
        s = os.statvfs(p)
    except OSError:
        return None
    t, u, a = s.f_blocks * s.f_bsize // 1024, (s.f_blocks - s.f_bfree) * s.f_bsize // 1024, s.f_bavail * s.f_bsize // 1024
    return b'Filesystem 1024-blocks Used Available Capacity Mounted on\n- %d %d %d 0%% -\n' % (t, u, a)

def stat_start(st):
    c = st.rfind(b')')
    if c < 0:
        return None
    f = st[c + 2:].split(b' ')
    v = f[19] if len(f) > 19 else b''
    return v if re.fullmatch(rb'-?[0-9]+', v) else None

HEAD = re.compile(rb'([^/]*)(.*)\Z', re.S)

def cgroup_files(q, out, root, paths, fs):
    dirs, seen, patterns = [], set(), []
    for path in paths:
        head, rest = HEAD.match(path).groups()
        r = compiled(rb'^(?!\.)[^/]*' + re.escape(head) + rb'\z')
        star = [root + b'/' + n + rest for n in sorted(n for n in q.list(root) if r.match(n))]
        for d in [root + path] + star:
            if d not in seen:
                seen.add(d)
                dirs.append(d)
    for d in dirs:
        q.seen.add(d)
        has = cgdirs.get(d)
        if has is None:
            names = q.list(d)
            if not names:
                continue
            has = cgdirs[d] = set(names)
        for segs in fs:
            h = segs[0]
            if h[:1] == b'G' or h[1:] in has:
                patterns.append((d, segs))
    files(q, out, None, patterns)

def answer(body):
    if len(rx) > 1000:
        rx.clear()
    q = Request()
    req = {}
    for rec in body.split(b'\n'):
        if rec:
            k, *f = rec.split(b'\0')
            req.setdefault(k, []).append(f)
    absolute = lambda k: [(b'', s) for s in req.get(k, [])]
    rel = lambda pre, k: [(pre, s) for s in req.get(k, [])]
    out = [b'\0DM-BATCH-1\0']
    first, got_links = {}, {}
    files(q, out, first, absolute(b'F'))
    fact_links = []
    if b'K' in req:
        k = req[b'K'][0]
        known = dict(zip(k[0::2], k[1::2]))
        fact_files = []
        procs = []
        for n in q.list(b'/proc'):
            if not n.isdigit():
                continue
            procs.append(n)
            st = first.get(b'/proc/' + n + b'/stat')
            if st is None:
                # A new process the plan could not name (newFromListing): its stat too, for its start time.
                if b'NL' not in req or n in known:
                    continue
                fact_files.append((b'/proc/' + n, [b'Lstat']))
            else:
                start = stat_start(st)
                if start is not None and known.get(n) == start:
                    continue
            fact_files += rel(b'/proc/' + n, b'PF')
            fact_links += rel(b'/proc/' + n, b'PL')
        files(q, out, first, fact_files)
        # The listing itself: the collector learns which processes it knows are gone without reading their stat.
        if b'NL' in req:
            out.append(b'\0P\0' + b''.join(n + b'\0' for n in procs))
    out.append(b'\0L\0')
    links(q, out, got_links, absolute(b'L') + fact_links)
    if b'CF' in req:
        root = req[b'CR'][0][0]
        r = re.compile(req[b'CP'][0][0])
        known_paths = [f[0] for f in req.get(b'CK', [])]
        known = set(known_paths)
        fresh, found = [], set()
        for p, c in first.items():
            if not re.fullmatch(rb'/proc/[0-9]+/cgroup', p):
                continue
            for line in c.split(b'\n'):
                i = line.find(b':')
                if i < 0:
                    continue
                j = line.find(b':', i + 1)
                cg = b'' if j < 0 else line[j + 1:]
                if cg not in known and cg not in found and r.search(cg):
                    found.add(cg)
                    fresh.append(cg)
        cgroup_files(q, out, root, known_paths + fresh, req[b'CF'])
        if fresh and b'CN' in req:
            cgroup_files(q, out, root, fresh, req[b'CN'])
        for d in [d for d in cgdirs if d not in q.seen]:
            del cgdirs[d]
    if b'N' in req or b'NS' in req:
        lowest, sockpid, sockns = {}, set(), set()
        for p, t in got_links.items():
            m = re.fullmatch(rb'/proc/([0-9]+)/fd/[0-9]+', p)
            if m and t.startswith(b'socket:'):
                sockpid.add(int(m.group(1)))
        for p, t in got_links.items():
            m = re.fullmatch(rb'/proc/([0-9]+)/ns/net', p)
            if m:
                pid = int(m.group(1))
                if t not in lowest or pid < lowest[t]:
                    lowest[t] = pid
                if pid in sockpid:
                    sockns.add(t)
        # Socket tables (NS) only where some process holds a socket: each read walks the kernel's whole hash table.
        files(q, out, None, [x for t, pid in lowest.items() for x in rel(b'/proc/%d' % pid, b'N') + (rel(b'/proc/%d' % pid, b'NS') if t in sockns else [])])
    out.append(b'\0S\0')
    for p in q.unique(absolute(b'S')):
        s = statfs(p)
        if s is not None:
            out.append(p + b'\0' + s + b'\0')
    # What this answer and every one before it cost the target (POSIX times, clock-tick resolution).
    t = os.times()
    out.append(b'\0C\0%.2f\0' % (t[0] + t[1] + t[2] + t[3]))
    out.append(b'\0END\0')
    return b''.join(out)

put(b'\0DM-READER-1 %d\0' % os.getpid())
while True:
    head = inp.readline()
    if not head:
        break
    m = re.fullmatch(rb'DM-REQ ([0-9a-f]{32}) ([0-9]+)\n', head)
    if not m:
        sys.exit('bad request header')
    body = inp.read(int(m.group(2)))
    if len(body) < int(m.group(2)):
        break
    try:
        res = answer(body)
    except Exception as e:
        why = str(e).replace('\0', ' ').replace('\n', ' ').encode('utf-8', 'replace')
        res = b'\0DM-BATCH-1\0\0ERR\0python3 reader: ' + why + b'\0'
    put(res + b'\0' + b'0\0DM-DONE-' + m.group(1) + b'\0')
`;
