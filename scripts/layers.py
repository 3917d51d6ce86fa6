#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks that calls between ldir.ko's objects point down the layers of
kmod/layers.txt: usage: layers.py LAYERS.txt OBJDIR. Every object of the
module must be in exactly one layer. Prints each call against the
direction and exits 1 if there is one."""
import fnmatch
import glob
import os
import re
import subprocess
import sys


def objects(objdir):
    kbuild = open(os.path.join(objdir, 'Kbuild')).read().replace('\\\n', ' ')
    objs = []
    for m in re.finditer(r'^ldir-y\s*[:+]?=\s*(.*)$', kbuild, re.M):
        objs += m.group(1).split()
    return objs


def main():
    layers_txt, objdir = sys.argv[1], sys.argv[2]
    order, pats = [], []
    for line in open(layers_txt):
        line = line.split('#', 1)[0].split()
        if not line:
            continue
        order.append(line[0])
        pats += [(line[0], p) for p in line[1:]]
    rank = {name: i for i, name in enumerate(order)}
    layer_of, bad = {}, 0
    for o in objects(objdir):
        hits = {lay for lay, p in pats if fnmatch.fnmatch(o, p)}
        if len(hits) != 1:
            print(f'layers: {o} is in {len(hits)} layers of {layers_txt}')
            bad = 1
            continue
        layer_of[o] = hits.pop()
    owner, undef = {}, {}
    for o in layer_of:
        out = subprocess.run(['nm', os.path.join(objdir, o)], check=True,
                             capture_output=True, text=True).stdout
        undef[o] = set()
        for ln in out.splitlines():
            f = ln.split()
            if len(f) == 3 and f[1] in 'TDBR':
                owner[f[2]] = o
            elif len(f) == 2 and f[0] == 'U':
                undef[o].add(f[1])
    edges = set()
    for o, syms in undef.items():
        for s in sorted(syms):
            t = owner.get(s)
            if not t or t == o:
                continue
            a, b = layer_of[o], layer_of[t]
            edges.add((a, b))
            if rank[b] < rank[a]:
                print(f'layers: {o} ({a}) calls {s}() of {t} ({b}), '
                      f'a layer above it')
                bad = 1
    if os.environ.get('LAYERS_GRAPH'):
        for a, b in sorted(edges, key=lambda e: (rank[e[0]], rank[e[1]])):
            if a != b:
                print(f'{a} -> {b}')
    return bad


if __name__ == '__main__':
    sys.exit(main())
