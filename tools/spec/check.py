#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks that the netlink spec, the uapi header and the kernel agree.

    check.py YNL_DIR SPEC HEADER KMOD_DIR

YNL_DIR is the kernel's tools/net/ynl (its lib parses the spec) with the
genetlink schemas two levels up, as in a kernel tree (Documentation/netlink).
The spec is validated against its schema (ynl's own jsonschema check), then:

- HEADER: the family defines, every const, every enum and flags definition,
  every attribute set (names, values, the type its comment states, the set a
  nest names) and the command enum, and nothing more (an enum or define in the
  header that the spec lacks fails too);
- KMOD_DIR (every .c under it): the genl ops (each command's doit/dumpit
  against the spec's do/dump, its policy against the request attributes), the
  nla_policy tables they reach (types, ranges, lengths, masks, the nested
  tables against the nested sets: an attribute the set lacks must be
  refused), the family's maxattr and multicast group.

Prints every disagreement and exits 1 if there is one.
"""

import glob
import os
import re
import sys

errors = []


def err(msg):
    errors.append(msg)


def c_upper(name):
    return name.upper().replace('-', '_')


# ---------------------------------------------------------------- C input --

def strip_comments(text):
    return re.sub(r'/\*.*?\*/|//[^\n]*', ' ', text, flags=re.S)


def c_eval(expr, names):
    """Value of a C integer constant expression over known names."""
    e = strip_comments(expr).strip()
    e = re.sub(r'\b(\d+)[uUlL]+\b', r'\1', e)

    def sub(m):
        w = m.group(0)
        if w in names:
            return '(%d)' % names[w]
        raise KeyError(w)
    e = re.sub(r'\b[A-Za-z_]\w*\b', sub, e)
    if not re.fullmatch(r'[\d\s()+\-*/<>|&~]*', e):
        raise ValueError(expr)
    return int(eval(e.replace('/', '//')))


def split_top(body, sep=','):
    """Splits at sep outside (), {} and []."""
    parts, depth, cur = [], 0, ''
    for ch in body:
        if ch in '({[':
            depth += 1
        elif ch in ')}]':
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ''
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def block_after(text, pos):
    """The text between the brace at or after pos and its match."""
    start = text.index('{', pos)
    depth = 0
    for i in range(start, len(text)):
        if text[i] == '{':
            depth += 1
        elif text[i] == '}':
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
    raise ValueError('unbalanced braces')


TYPE_WORDS = {'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
              'be16', 'be32', 'binary', 'nest', 'flag', 'string'}


def parse_header(path):
    """defines {name: raw}, enums {c name: [(entry, value, comment)]} and
    the comment before each enum."""
    text = open(path).read()
    defines = {}
    for m in re.finditer(r'^#define[ \t]+(\w+)[ \t]+(.+?)[ \t]*$', text, re.M):
        if not m.group(1).startswith('_UAPI'):
            defines[m.group(1)] = m.group(2)
    names = {}
    for k, v in defines.items():
        if not v.startswith('"'):
            try:
                names[k] = c_eval(v, names)
            except (KeyError, ValueError):
                pass
    enums, enum_docs = {}, {}
    for m in re.finditer(r'(/\*(?:(?!\*/).)*\*/\s*)?enum\s+(\w+)\s*\{(.*?)\};',
                         text, re.S):
        enum_docs[m.group(2)] = m.group(1) or ''
        entries, val, pending = [], -1, ''
        body = m.group(3)
        # one entry per line; a comment runs on until */, and a comment
        # alone on the lines before an entry belongs to that entry
        lines = body.split('\n')
        i = 0
        while i < len(lines):
            line = lines[i]
            while '/*' in line and '*/' not in line[line.index('/*'):] \
                    and i + 1 < len(lines):
                i += 1
                line += ' ' + lines[i].strip()
            i += 1
            code = strip_comments(line).strip()
            cm = re.search(r'/\*(.*?)\*/', line, re.S)
            comment = cm.group(1).strip(' *') if cm else ''
            if not code:
                pending = comment
                continue
            em = re.fullmatch(r'(\w+)\s*(?:=\s*(.+?))?\s*,?', code)
            if not em:
                err(f'{path}: cannot parse "{code}" in enum {m.group(2)}')
                continue
            if em.group(2):
                val = c_eval(em.group(2), names)
            else:
                val += 1
            names[em.group(1)] = val
            entries.append((em.group(1), val, comment or pending))
            pending = ''
        enums[m.group(2)] = entries
    return defines, names, enums, enum_docs


POLICY_RE = re.compile(r'\bstruct\s+nla_policy\s+(\w+)\s*\[([^\]]*)\]\s*=')
RANGE_RE = re.compile(r'\bstruct\s+netlink_range_validation(?:_signed)?\s+(\w+)\s*=')


def parse_policy_entry(val, names, ranges):
    """One nla_policy initializer as a dict: type, checks, nested."""
    p = {'checks': {}}
    m = re.fullmatch(r'(NLA_POLICY_\w+)\s*\((.*)\)', val, re.S)
    if m:
        macro, args = m.group(1), split_top(m.group(2))
        if macro == 'NLA_POLICY_EXACT_LEN':
            p['type'] = 'binary'
            p['checks']['exact-len'] = c_eval(args[0], names)
        elif macro in ('NLA_POLICY_NESTED', 'NLA_POLICY_NESTED_ARRAY'):
            p['type'] = 'nest'
            p['nested'] = args[0]
        elif macro == 'NLA_POLICY_RANGE':
            p['type'] = args[0]
            p['checks']['min'] = c_eval(args[1], names)
            p['checks']['max'] = c_eval(args[2], names)
        elif macro == 'NLA_POLICY_MIN':
            p['type'] = args[0]
            p['checks']['min'] = c_eval(args[1], names)
        elif macro == 'NLA_POLICY_MAX':
            p['type'] = args[0]
            p['checks']['max'] = c_eval(args[1], names)
        elif macro == 'NLA_POLICY_MASK':
            p['type'] = args[0]
            p['checks']['mask'] = c_eval(args[1], names)
        elif macro == 'NLA_POLICY_FULL_RANGE':
            p['type'] = args[0]
            r = ranges.get(args[1].lstrip('&').strip())
            if r is None:
                raise ValueError(f'unknown range {args[1]}')
            p['checks'].update(r)
        else:
            raise ValueError(f'unsupported {macro}')
        return p
    m = re.fullmatch(r'\{(.*)\}', val, re.S)
    if not m:
        raise ValueError(val)
    for field in split_top(m.group(1)):
        fm = re.fullmatch(r'\.(\w+)\s*=\s*(.+)', field, re.S)
        if not fm:
            raise ValueError(field)
        if fm.group(1) == 'type':
            p['type'] = fm.group(2).strip()
        elif fm.group(1) == 'len':
            p['checks']['len'] = c_eval(fm.group(2), names)
        else:
            raise ValueError(f'unsupported field .{fm.group(1)}')
    return p


def parse_kmod(kdir, names):
    """policies {name: (bound, {attr: policy})}, ops [dict], family text."""
    # the module's own constants (a policy may bound by one)
    names = dict(names)
    for f in sorted(glob.glob(os.path.join(kdir, '**', '*.h'), recursive=True)):
        for m in re.finditer(r'^#define[ \t]+(\w+)[ \t]+([^\n]+?)[ \t]*$',
                             strip_comments(open(f).read()), re.M):
            try:
                names.setdefault(m.group(1), c_eval(m.group(2), names))
            except (KeyError, ValueError, SyntaxError):
                pass
    sources = {}
    for f in sorted(glob.glob(os.path.join(kdir, '**', '*.c'), recursive=True)):
        if f.endswith('.mod.c') or os.path.basename(f).startswith('kunit'):
            continue
        sources[f] = strip_comments(open(f).read())
    text = '\n'.join(sources.values())
    ranges = {}
    for m in RANGE_RE.finditer(text):
        body = block_after(text, m.end())
        r = {}
        for field in split_top(body):
            fm = re.fullmatch(r'\.(min|max)\s*=\s*(.+)', field, re.S)
            if fm:
                r[fm.group(1)] = c_eval(fm.group(2), names)
        ranges[m.group(1)] = r
    policies = {}
    for m in POLICY_RE.finditer(text):
        body = block_after(text, m.end())
        table = {}
        for ent in split_top(body):
            em = re.fullmatch(r'\[\s*(\w+)\s*\]\s*=\s*(.+)', ent, re.S)
            if not em:
                err(f'kmod: cannot parse policy entry "{ent}" of {m.group(1)}')
                continue
            try:
                table[em.group(1)] = parse_policy_entry(em.group(2).strip(),
                                                        names, ranges)
            except (ValueError, KeyError) as e:
                err(f'kmod: {m.group(1)}[{em.group(1)}]: cannot read: {e}')
        policies[m.group(1)] = (m.group(2).strip(), table)

    # the ops: entries of a genl_ops / genl_small_ops / genl_split_ops
    # array, either designated initializers or a function-like macro whose
    # parameters name them
    macros = {}
    for m in re.finditer(r'#define\s+(\w+)\(([^)]*)\)((?:[^\n]*\\\n)*[^\n]*)', text):
        params = [p.strip() for p in m.group(2).split(',')]
        macros[m.group(1)] = (params, m.group(3).replace('\\\n', ' '))
    ops = []
    for m in re.finditer(r'\bstruct\s+(?:genl_ops|genl_small_ops|genl_split_ops|LDIR_GENL_OPS)'
                         r'\s+\w+\s*\[\s*\]\s*=', text):
        for ent in split_top(block_after(text, m.end())):
            for _ in range(8):  # a macro may expand to another
                mm = re.fullmatch(r'(\w+)\s*\((.*)\)', ent.strip(), re.S)
                if not (mm and mm.group(1) in macros):
                    break
                params, body = macros[mm.group(1)]
                args = split_top(mm.group(2))
                for p, a in zip(params, args):
                    body = re.sub(r'\b' + re.escape(p) + r'\b', a, body)
                ent = body.strip()
            ent = ent.strip().strip('{}')
            op = {}
            for field in split_top(ent):
                fm = re.fullmatch(r'\.(\w+)\s*=\s*(.+)', field, re.S)
                if fm:
                    op[fm.group(1)] = fm.group(2).strip()
            ops.append(op)
    fam = re.search(r'\bstruct\s+genl_family\s+\w+[^=;]*=\s*', text)
    family = {}
    if fam:
        for field in split_top(block_after(text, fam.end())):
            fm = re.fullmatch(r'\.(\w+)\s*=\s*(.+)', field, re.S)
            if fm:
                family[fm.group(1)] = fm.group(2).strip()
    mc = re.search(r'\bstruct\s+genl_multicast_group\s+\w+\s*\[\s*\]\s*=', text)
    mcgrps = []
    if mc:
        for ent in split_top(block_after(text, mc.end())):
            nm = re.search(r'\.name\s*=\s*(\w+|"[^"]*")', ent)
            if nm:
                mcgrps.append(nm.group(1))
    return policies, ops, family, mcgrps


# ------------------------------------------------------------------ spec --

def set_attrs(fam, set_name):
    """(name, SpecAttr, yaml of the attribute as this set sees it)."""
    s = fam.attr_sets[set_name]
    if not s.subset_of:
        return [(n, a, a.yaml) for n, a in s.attrs.items()]
    out = []
    for elem in s.yaml['attributes']:
        a = fam.attr_sets[s.subset_of][elem['name']]
        out.append((a.name, a, {**a.yaml, **elem}))
    return out


def full_set(fam, set_name):
    s = fam.attr_sets[set_name]
    return fam.attr_sets[s.subset_of] if s.subset_of else s


def set_prefix(fam, s):
    return s.yaml.get('name-prefix', f'{fam.name}-{s.name}-a-')


def const_value(fam, v):
    if isinstance(v, int):
        return v
    if v in fam.consts and fam.consts[v]['type'] == 'const':
        return fam.consts[v]['value']
    m = re.fullmatch(r'([us])(8|16|32|64)-(min|max)', v)
    if m:
        bits = int(m.group(2))
        if m.group(1) == 'u':
            return 0 if m.group(3) == 'min' else (1 << bits) - 1
        return -(1 << (bits - 1)) if m.group(3) == 'min' else (1 << (bits - 1)) - 1
    raise ValueError(v)


def spec_checks(fam, y):
    c = {}
    for k, v in y.get('checks', {}).items():
        if k == 'flags-mask':
            c['mask'] = sum(1 << i for i in range(len(fam.consts[v].entries)))
        elif k in ('min', 'max', 'exact-len', 'max-len', 'min-len'):
            c[k] = const_value(fam, v)
    return c


# ---------------------------------------------------------------- checks --

def check_header(fam, defines, names, enums, enum_docs):
    seen_enums, seen_defines = set(), set()

    def want_define(name, value):
        seen_defines.add(name)
        if name not in defines:
            err(f'header: #define {name} missing (spec: {value!r})')
        elif isinstance(value, str):
            if defines[name] != f'"{value}"':
                err(f'header: {name} is {defines[name]}, spec "{value}"')
        elif names.get(name) != value:
            err(f'header: {name} is {defines[name]}, spec {value}')

    want_define(c_upper(fam.yaml.get('c-family-name', f'{fam.name}-family-name')),
                fam.name)
    want_define(c_upper(fam.yaml.get('c-version-name', f'{fam.name}-family-version')),
                fam.yaml.get('version', 1))
    for grp in fam.yaml.get('mcast-groups', {}).get('list', []):
        want_define(c_upper(grp.get('c-define-name',
                                    f'{fam.name}-mcgrp-{grp["name"]}')), grp['name'])

    def want_enum(cname, expect, what):
        seen_enums.add(cname)
        got = enums.get(cname)
        if got is None:
            err(f'header: enum {cname} missing ({what})')
            return None
        gv = [(n, v) for n, v, _ in got]
        ev = [(n, v) for n, v, _ in expect]
        if gv != ev:
            extra = [e for e in gv if e not in ev]
            miss = [e for e in ev if e not in gv]
            err(f'header: enum {cname} differs from the spec ({what}):'
                f' header only {extra}, spec only {miss}')
        return {n: c for n, _, c in got}

    for d in fam.yaml.get('definitions', []):
        if d.get('header') or d.get('scope', 'uapi') != 'uapi':
            continue
        if d['type'] == 'const':
            want_define(c_upper(f'{fam.name}-{d["name"]}'), d['value'])
            continue
        enum = fam.consts[d['name']]
        prefix = d.get('name-prefix', f'{fam.name}-{d["name"]}-')
        cname = c_upper(d.get('enum-name', f'{fam.name}-{d["name"]}')).lower()
        exp = []
        for e in enum.entries.values():
            exp.append((c_upper(prefix + e.name), e.user_value(), None))
        if d['type'] == 'flags':
            # the header's mask of every flag (NLA_POLICY_MASK uses it)
            exp.append((c_upper(prefix + 'all'), enum.get_mask(), None))
        elif d.get('render-max'):
            top = exp[-1][1] + 1
            exp.append(('__' + c_upper(prefix + 'max'), top, None))
            exp.append((c_upper(prefix + 'max'), top - 1, None))
        want_enum(cname, exp, f'definition {d["name"]}')

    for s in fam.attr_sets.values():
        if s.subset_of:
            continue
        prefix = set_prefix(fam, s)
        cname = c_upper(s.yaml.get('enum-name', f'{fam.name}-{s.name}-attrs')).lower()
        exp = [(c_upper(prefix + 'unspec'), 0, None)]
        for a in s.attrs.values():
            exp.append((c_upper(prefix + a.name), a.value, None))
        top = exp[-1][1] + 1
        exp.append((c_upper(s.yaml.get('attr-cnt-name', '__' + prefix + 'max')), top, None))
        exp.append((c_upper(s.yaml.get('attr-max-name', prefix + 'max')), top - 1, None))
        comments = want_enum(cname, exp, f'attribute set {s.name}')
        if comments is None:
            continue
        default = None
        dm = re.search(r'\bAll (u64|u32)\b', enum_docs.get(cname, ''))
        if dm:
            default = dm.group(1)
        for a in s.attrs.values():
            cn = c_upper(prefix + a.name)
            check_attr_comment(fam, s, a, cn, comments.get(cn, ''), default)

    ops = fam.yaml['operations']
    prefix = ops.get('name-prefix', f'{fam.name}-cmd-')
    cname = c_upper(ops.get('enum-name', f'{fam.name}-cmd')).lower()
    exp = [(c_upper(prefix + 'unspec'), 0, None)]
    for op in fam.msgs.values():
        exp.append((c_upper(prefix + op.name), op.value, None))
    top = exp[-1][1] + 1
    exp.append((c_upper(fam.yaml.get('cmd-cnt-name', '__' + prefix + 'max')), top, None))
    exp.append((c_upper(fam.yaml.get('cmd-max-name', prefix + 'max')), top - 1, None))
    want_enum(cname, exp, 'operations')

    for e in sorted(set(enums) - seen_enums):
        err(f'header: enum {e} is not in the spec')
    for d in sorted(set(defines) - seen_defines):
        err(f'header: #define {d} is not in the spec')


def check_attr_comment(fam, s, a, cname, comment, default):
    """The type the header's comment states against the spec's."""
    t = a.yaml['type']
    if t == 'pad':
        if comment:
            err(f'header: {cname} is a pad in the spec, commented "{comment}"')
        return
    words = re.findall(r'[\w]+', comment)
    word = words[0] if words else ''
    if word not in TYPE_WORDS:
        if default is None:
            err(f'header: {cname}: its comment states no type (spec: {t})')
        elif default != t:
            err(f'header: {cname} is {default} (enum comment), spec {t}')
        return
    if word == 'be16':
        word = 'u16'
        if a.yaml.get('byte-order') != 'big-endian':
            err(f'header: {cname} is be16, spec {t} not big-endian')
    elif word in ('u16', 'u32') and a.yaml.get('byte-order') == 'big-endian':
        err(f'header: {cname} is {word}, spec big-endian')
    if word != t:
        err(f'header: {cname} is {word}, spec {t}')
        return
    if t == 'binary':
        m = re.search(r'(\d+) bytes', comment)
        el = a.yaml.get('checks', {}).get('exact-len')
        if m and el is not None and int(m.group(1)) != const_value(fam, el):
            err(f'header: {cname} is {m.group(1)} bytes, spec {el}')
    if t == 'nest':
        nested = a.yaml['nested-attributes']
        ns = fam.attr_sets[nested]
        m = re.search(r'enum (\w+)', comment)
        if m:
            want = full_set(fam, nested)
            en = c_upper(want.yaml.get('enum-name', f'{fam.name}-{want.name}-attrs')).lower()
            if m.group(1) != en or ns.subset_of:
                err(f'header: {cname} nests enum {m.group(1)}, spec {nested}')
        m = re.search(r'nest: (\w+) key\b', comment)
        if m and not (ns.subset_of == m.group(1) or nested == m.group(1)):
            err(f'header: {cname} nests a {m.group(1)} key, spec {nested}')


KTYPES = {'NLA_U8': ('u8', None), 'NLA_U16': ('u16', None),
          'NLA_BE16': ('u16', 'big-endian'), 'NLA_U32': ('u32', None),
          'NLA_BE32': ('u32', 'big-endian'), 'NLA_U64': ('u64', None),
          'NLA_S8': ('s8', None), 'NLA_S16': ('s16', None),
          'NLA_S32': ('s32', None), 'NLA_S64': ('s64', None),
          'NLA_FLAG': ('flag', None), 'NLA_STRING': ('string', None),
          'NLA_NUL_STRING': ('string', None), 'NLA_BINARY': ('binary', None),
          'NLA_NESTED': ('nest', None), 'binary': ('binary', None),
          'nest': ('nest', None)}


def check_policy(fam, policies, pname, set_name, where, done):
    """Kernel table pname against spec set set_name (the attributes it
    accepts, each one's type and checks, nests recursively)."""
    if (pname, set_name) in done:
        return
    done.add((pname, set_name))
    if pname not in policies:
        err(f'kmod: {where}: policy {pname} not found')
        return
    bound, table = policies[pname]
    fs = full_set(fam, set_name)
    prefix = set_prefix(fam, fs)
    want_bound = c_upper(fs.yaml.get('attr-max-name', prefix + 'max')) + ' + 1'
    if re.sub(r'\s+', ' ', bound) != want_bound:
        err(f'kmod: {pname}[{bound}]: the {fs.name} set wants [{want_bound}]')
    by_c = {c_upper(prefix + n): (n, y) for n, _, y in set_attrs(fam, set_name)}
    all_c = {c_upper(prefix + n) for n in fs.attrs}
    for cn, p in table.items():
        if cn not in all_c:
            err(f'kmod: {pname}: {cn} is not an attribute of set {fs.name}')
            continue
        accepted = p.get('type') != 'NLA_REJECT'
        if not accepted:
            if cn in by_c:
                err(f'kmod: {pname} refuses {cn}, spec set {set_name} accepts it')
            continue
        if cn not in by_c:
            err(f'kmod: {pname} accepts {cn}, spec set {set_name} lacks it')
            continue
        name, y = by_c[cn]
        kt, korder = KTYPES.get(p.get('type'), (p.get('type'), None))
        st, sorder = y['type'], y.get('byte-order')
        if kt != st or (kt == 'u16' and korder != sorder and korder):
            err(f'kmod: {pname}[{cn}] is {p.get("type")}, spec {st}'
                f'{" " + sorder if sorder else ""}')
            continue
        kc = dict(p['checks'])
        if 'len' in kc:
            kc['max-len' if st in ('string', 'binary') else 'len'] = kc.pop('len')
        sc = spec_checks(fam, y)
        if st.startswith('u'):
            # unsigned: a minimum of 0 is no check
            if kc.get('min') == 0:
                del kc['min']
            if sc.get('min') == 0:
                del sc['min']
        if kc != sc:
            err(f'kmod: {pname}[{cn}] checks {kc}, spec {set_name}.{name} {sc}')
        if st == 'nest':
            check_policy(fam, policies, p['nested'], y['nested-attributes'],
                         f'{pname}[{cn}]', done)
    for cn in by_c:
        if cn not in table:
            err(f'kmod: {pname} lacks {cn} (spec set {set_name} accepts it)')


def check_kmod(fam, policies, ops, family, mcgrps, names):
    cmd_prefix = fam.yaml['operations'].get('name-prefix', f'{fam.name}-cmd-')
    by_cmd = {c_upper(cmd_prefix + op.name): op for op in fam.msgs.values()}
    seen = set()
    done = set()
    top = fam.yaml['attribute-sets'][0]['name']
    fs = fam.attr_sets[top]
    for k in ops:
        cmd = k.get('cmd')
        op = by_cmd.get(cmd)
        if op is None:
            err(f'kmod: op {cmd} is not in the spec')
            continue
        seen.add(cmd)
        if 'event' in op.yaml or 'notify' in op.yaml:
            err(f'kmod: {cmd} is an event in the spec, an op in the kernel')
            continue
        flags = set(re.findall(r'GENL_(?:UNS_)?ADMIN_PERM', k.get('flags', '')))
        want = {'GENL_' + c_upper(f) for f in op.yaml.get('flags', [])}
        if flags != want:
            err(f'kmod: {cmd} flags {sorted(flags)}, spec {sorted(want)}')
        req = set()
        for kind in ('do', 'dump'):
            req |= set(op.yaml.get(kind, {}).get('request', {}).get('attributes', []))
        pol = k.get('policy')
        if pol is None:
            err(f'kmod: {cmd} has no policy')
            continue
        # the op's top-level table: the request attributes of the op's set
        if pol not in policies:
            err(f'kmod: {cmd}: policy {pol} not found')
            continue
        bound, table = policies[pol]
        ys = {n: y for n, _, y in set_attrs(fam, op.yaml['attribute-set'])}
        tprefix = set_prefix(fam, fs)
        acc = {cn for cn, p in table.items() if p.get('type') != 'NLA_REJECT'}
        want_c = {c_upper(tprefix + n): n for n in req}
        if acc != set(want_c):
            err(f'kmod: {cmd} ({pol}) accepts {sorted(acc)}, spec request '
                f'{sorted(want_c)}')
        for cn in acc & set(want_c):
            name = want_c[cn]
            p, y = table[cn], ys[name]
            kt, _ = KTYPES.get(p.get('type'), (p.get('type'), None))
            if kt != y['type']:
                err(f'kmod: {pol}[{cn}] is {p.get("type")}, spec {y["type"]}')
            elif kt == 'nest':
                check_policy(fam, policies, p['nested'], y['nested-attributes'],
                             f'{cmd}', done)
        want_bound = c_upper(fs.yaml.get('attr-max-name', tprefix + 'max')) + ' + 1'
        if re.sub(r'\s+', ' ', bound) != want_bound:
            err(f'kmod: {pol}[{bound}]: wants [{want_bound}]')
        if k.get('maxattr') and k['maxattr'] != want_bound[:-4]:
            err(f'kmod: {cmd} maxattr {k["maxattr"]}, spec {want_bound[:-4]}')
    # do and dump: over every entry of the command (split ops have one
    # each; an array per kernel version repeats them)
    for cmd, op in by_cmd.items():
        if 'event' in op.yaml or 'notify' in op.yaml:
            continue
        if cmd not in seen:
            err(f'kmod: the spec\'s {cmd} has no op in the kernel')
            continue
        for kind, field in (('do', 'doit'), ('dump', 'dumpit')):
            has = any(k.get(field, 'NULL') not in ('NULL', '0')
                      for k in ops if k.get('cmd') == cmd)
            if has != (kind in op.yaml):
                err(f'kmod: {cmd} {"has" if has else "lacks"} .{field}, '
                    f'spec {"lacks" if has else "has"} {kind}')
    want_max = c_upper(fs.yaml.get('attr-max-name', set_prefix(fam, fs) + 'max'))
    if family.get('maxattr') != want_max:
        err(f'kmod: genl_family .maxattr {family.get("maxattr")}, spec {want_max}')
    want_grps = [c_upper(g.get('c-define-name', f'{fam.name}-mcgrp-{g["name"]}'))
                 for g in fam.yaml.get('mcast-groups', {}).get('list', [])]
    if mcgrps != want_grps:
        err(f'kmod: multicast groups {mcgrps}, spec {want_grps}')


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    ynl, spec, header, kdir = sys.argv[1:]
    try:
        import jsonschema  # noqa: F401  (ynl's lib loads it on demand)
        import yaml
    except ImportError as e:
        print(f'{e}: apt-get install python3-yaml python3-jsonschema',
              file=sys.stderr)
        return 1
    sys.path.insert(0, ynl)
    from lib import SpecFamily  # noqa: E402  (ynl's own spec parser)
    schema_dir = os.path.join(ynl, '..', '..', '..', 'Documentation', 'netlink')
    proto = yaml.safe_load(open(spec))['protocol']
    try:
        fam = SpecFamily(spec, os.path.join(schema_dir, proto + '.yaml'))
    except Exception as e:  # jsonschema's ValidationError and parse errors
        print(f'{spec}: does not validate: {e}', file=sys.stderr)
        return 1
    defines, names, enums, enum_docs = parse_header(header)
    check_header(fam, defines, names, enums, enum_docs)
    policies, ops, family, mcgrps = parse_kmod(kdir, names)
    if not ops:
        err(f'kmod: no genl ops found under {kdir}')
    check_kmod(fam, policies, ops, family, mcgrps, names)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f'{len(errors)} disagreements between {spec}, {header} and '
              f'{kdir}', file=sys.stderr)
        return 1
    print(f'{os.path.basename(spec)}: valid; {header} and {kdir} agree with it')
    return 0


if __name__ == '__main__':
    sys.exit(main())
