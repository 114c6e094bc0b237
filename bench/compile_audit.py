#!/usr/bin/env python3
"""Flags the C2 compiles of simdreg's code that came close to boxing vector registers.

Reads HotSpot compile logs (-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=...) and prints,
per C2 compile of a simdreg method, the calls it did not inline that pass or return a vector (each such vector
is boxed), the vector box allocations C2 had to eliminate, and the vector intrinsics that failed at their first
late attempt (C2 retries them after its next round of optimization). A compile whose registers all have their
exact class from parsing has none of them; compiles that had them boxed registers in one JVM of several
(AllocationTest, docs/performance.md, "Application conditions").

Usage: compile_audit.py LOG...
"""
import re
import sys

ATTRIBUTE = re.compile(r"(\w+)='([^']*)'")
VECTOR_INTRINSICS = {'load', 'store', 'binaryOp', 'ternaryOp', 'unaryOp', 'convert', 'fromBitsCoerced',
                     'rearrangeOp', 'compare', 'blend', 'reductionCoerced', 'broadcastInt', 'extract'}


def is_vector(klass):
    """A register class, whose objects are boxes: not a species, shuffle, mask or operator."""
    return klass.startswith('jdk.incubator.vector.') and klass.endswith('Vector')


def attributes(line):
    return dict(ATTRIBUTE.findall(line))


def audit(path):
    """Yields (method, compile id, vector calls not inlined, boxes eliminated, intrinsics failed at first, nmethod
    bytes) per flagged compile."""
    compile_ = None
    inside_late_inline = None  # the callee of the <late_inline> element being read
    awaiting_verdict = None  # a late inline's callee, whose outcome the next line gives
    with open(path, errors='replace') as log:
        for line in log:
            if line.startswith('<task '):
                task = attributes(line)
                simdreg = 'simdreg' in task.get('method', '') and task.get('level', '4') == '4'
                osr = ' (OSR: serves only the call it was made in)' if task.get('compile_kind') == 'osr' else ''
                compile_ = {'method': ' '.join(task['method'].split(' ')[:2]) + osr, 'id': task['compile_id'],
                            'klasses': {}, 'methods': {}, 'passing': set(), 'not_inlined': [], 'eliminated': 0,
                            'failed': 0} if simdreg else None
                callee = None
                continue
            if compile_ is None:
                continue
            if awaiting_verdict is not None:
                if awaiting_verdict in VECTOR_INTRINSICS and not line.startswith('<intrinsic'):
                    compile_['failed'] += 1
                awaiting_verdict = None
            if line.startswith('<klass '):
                klass = attributes(line)
                compile_['klasses'][klass['id']] = klass['name']
            elif line.startswith('<method '):
                method = attributes(line)
                compile_['methods'][method['id']] = method['name']
                types = method.get('arguments', '').split() + [method.get('return')]
                if any(is_vector(compile_['klasses'].get(t, '')) for t in types):
                    compile_['passing'].add(method['id'])
            elif line.startswith('<call '):
                callee = attributes(line).get('method')
            elif line.startswith('<inline_fail ') and callee in compile_['passing']:
                compile_['not_inlined'].append(f"{compile_['methods'][callee]} ({attributes(line).get('reason')})")
            elif line.startswith('<late_inline '):
                inside_late_inline = compile_['methods'].get(attributes(line).get('method'))
            elif line.startswith('</late_inline>'):
                awaiting_verdict, inside_late_inline = inside_late_inline, None
            elif line.startswith('<eliminate_allocation '):
                if 'incubator.vector' in compile_['klasses'].get(attributes(line).get('type'), ''):
                    compile_['eliminated'] += 1
            elif line.startswith('<task_done'):
                if compile_['not_inlined'] or compile_['eliminated'] or compile_['failed']:
                    yield (compile_['method'], compile_['id'], compile_['not_inlined'], compile_['eliminated'],
                           compile_['failed'], attributes(line).get('nmsize'))
                compile_ = None


if __name__ == '__main__':
    for log_path in sys.argv[1:]:
        for method, compile_id, not_inlined, eliminated, failed, size in audit(log_path):
            print(f'{log_path}: compile {compile_id} {method}: not inlined {not_inlined or "none"}, '
                  f'{eliminated} vector boxes eliminated, {failed} vector intrinsics failed at first, '
                  f'nmethod {size} bytes')
