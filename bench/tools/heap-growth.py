#!/usr/bin/env python3
"""What grew between two heap dumps, per ManagedSecret added, by the chain of fields that holds it.

Usage: heap-growth.py <dump at N>.hprof <dump at 10N>.hprof <ManagedSecrets added> [depth]

The dumps are those the harness writes with -Dbench.heapDump=<prefix> (jcmd GC.heap_dump: live
objects only, after a full collection). Each object is attributed to the first object found to
refer to it, and that one to its own referrer, up to <depth> (default 4) links: "String.value <
Condition.message < ..." says the bytes are a String's array held by a Condition's message. Sizes
assume compressed references (a heap under 32 GiB); the total agrees with the class histogram
within a few percent. Reads the HPROF format of the JDK (8-byte identifiers).
"""
import collections
import mmap
import struct
import sys


def load(path):
    f=open(path,'rb'); m=mmap.mmap(f.fileno(),0,access=mmap.ACCESS_READ)
    p=m.find(b'\0')+1
    idsize=struct.unpack('>I',m[p:p+4])[0]; p+=12
    assert idsize==8
    Q=struct.Struct('>Q'); I=struct.Struct('>I'); H=struct.Struct('>H')
    utf8={}; cname={}
    classes={}  # id -> (super, [(name,type)])
    inst={}  # id -> (classid, offset, len)
    parr={}  # id -> (type, off, n)
    oarr={}  # id -> (offset, n)
    size={1:0,2:8,4:1,5:2,6:4,7:8,8:1,9:2,10:4,11:8}
    n=len(m)
    while p<n:
        tag=m[p]; ln=I.unpack_from(m,p+5)[0]; body=p+9; end=body+ln
        if tag==1:
            utf8[Q.unpack_from(m,body)[0]]=m[body+8:end].decode('utf8','replace')
        elif tag==2:
            cid=Q.unpack_from(m,body+4)[0]; nid=Q.unpack_from(m,body+16)[0]
            cname[cid]=utf8.get(nid,'?')
        elif tag in (0x0c,0x1c):
            q=body
            while q<end:
                st=m[q]; q+=1
                if st==0xff: q+=8
                elif st==1: q+=16
                elif st==2: q+=16
                elif st==3: q+=16
                elif st==4: q+=12
                elif st==5: q+=8
                elif st==6: q+=12
                elif st==7: q+=8
                elif st==8: q+=16
                elif st==0x20:
                    cid=Q.unpack_from(m,q)[0]; sup=Q.unpack_from(m,q+12)[0]
                    q+=8+4+8*6+4
                    cp=H.unpack_from(m,q)[0]; q+=2
                    for _ in range(cp):
                        t=m[q+2]; q+=3+size[t]
                    sc=H.unpack_from(m,q)[0]; q+=2
                    for _ in range(sc):
                        t=m[q+8]; q+=9+size[t]
                    fc=H.unpack_from(m,q)[0]; q+=2
                    fl=[]
                    for _ in range(fc):
                        fl.append((Q.unpack_from(m,q)[0],m[q+8])); q+=9
                    classes[cid]=(sup,fl)
                elif st==0x21:
                    oid=Q.unpack_from(m,q)[0]; cid=Q.unpack_from(m,q+12)[0]; nb=I.unpack_from(m,q+20)[0]
                    inst[oid]=(cid,q+24,nb); q+=24+nb
                elif st==0x22:
                    oid=Q.unpack_from(m,q)[0]; cnt=I.unpack_from(m,q+12)[0]
                    oarr[oid]=(q+24,cnt, Q.unpack_from(m,q+16)[0]); q+=24+cnt*8
                elif st==0x23:
                    oid=Q.unpack_from(m,q)[0]; cnt=I.unpack_from(m,q+12)[0]; t=m[q+16]
                    parr[oid]=(t,q+17,cnt); q+=17+cnt*size[t]
                else:
                    raise Exception('subtag %x at %d'%(st,q))
        p=end
    return m,utf8,cname,classes,inst,parr,oarr,size


def align(x):
    return (x + 7) // 8 * 8


def analyse(path, depth):
    m, utf8, cname, classes, inst, parr, oarr, size = load(path)
    Q = struct.Struct('>Q')
    layout = {}

    def fields(cid):
        if cid in layout:
            return layout[cid]
        out, c = [], cid
        while c and c in classes:
            sup, fl = classes[c]
            out.extend((utf8.get(n, '?'), t) for n, t in fl)
            c = sup
        layout[cid] = out
        return out

    ref, cls, sz = {}, {}, {}
    for oid, (cid, off, nb) in inst.items():
        q, cn = off, cname.get(cid, '?').split('/')[-1]
        cls[oid] = cn
        refs = sum(1 for _, t in fields(cid) if t == 2)
        sz[oid] = align(12 + nb - 4 * refs)
        for fname, t in fields(cid):
            if t == 2:
                v = Q.unpack_from(m, q)[0]
                if v and v not in ref:
                    ref[v] = (oid, cn + '.' + fname)
            q += size[t]
    for oid, (off, cnt, acid) in oarr.items():
        an = cname.get(acid, '?').split('/')[-1]
        cls[oid], sz[oid] = an, align(16 + 4 * cnt)
        for i in range(cnt):
            v = Q.unpack_from(m, off + 8 * i)[0]
            if v and v not in ref:
                ref[v] = (oid, an + '[]')
    for oid, (t, po, cnt) in parr.items():
        cls[oid], sz[oid] = 'primitive%d[]' % t, align(16 + cnt * size[t])
    total, count = collections.Counter(), collections.Counter()
    for oid, c in cls.items():
        path, cur = [c], oid
        for _ in range(depth):
            r = ref.get(cur)
            if not r:
                break
            cur, label = r
            path.append(label)
        k = ' < '.join(path)
        total[k] += sz[oid]
        count[k] += 1
    return total, count


if __name__ == '__main__':
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    depth = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    added = int(sys.argv[3])
    a, b = analyse(sys.argv[1], depth), analyse(sys.argv[2], depth)
    grew = sorted(((b[0][k] - a[0].get(k, 0), b[1][k] - a[1].get(k, 0), k) for k in b[0]),
                  reverse=True)
    print('grew %.0f bytes per ManagedSecret' % (sum(g[0] for g in grew) / added))
    for size_, n, k in grew[:60]:
        print('%7.1f B %5.2f objects  %s' % (size_ / added, n / added, k))
