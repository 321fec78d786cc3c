;; The line counter of `taqaddum` (src/cli/simd.ts): the number of bytes equal to one value, counted
;; 16 at a time with WebAssembly SIMD. `node scripts/wat.js` assembles this file into simd-wasm.ts; a
;; test checks that the two match. Standard text format (wat2wasm reads it too), flat instructions.
;;
;; The memory is fixed at 4 pages (256 KiB): the copy loop's read buffer at offset 0 (at most half of
;; it), so that the bytes are counted where `readSync` put them, and scratch space after it for chunks
;; that come from elsewhere.
(module
  (memory (export "memory") 4)

  ;; count(p, n, byte): the bytes equal to `byte` in memory[p, p + n)
  (func (export "count") (param $p i32) (param $n i32) (param $byte i32) (result i32)
    (local $end i32) (local $total i32) (local $groupEnd i32) (local $vend i32)
    (local $needle v128) (local $acc v128) (local $sums v128)

    local.get $byte
    i8x16.splat
    local.set $needle                ;; needle = byte in all 16 lanes
    local.get $p
    local.get $n
    i32.add
    local.set $end                   ;; end = p + n
    local.get $p
    local.get $n
    i32.const -16
    i32.and
    i32.add
    local.set $vend                  ;; vend = p + (n & -16): where the whole blocks of 16 end

    ;; Whole blocks, in groups of at most 255 (4080 bytes): an 8-bit lane of acc counts one match per
    ;; block, so it is emptied into total before it can overflow.
    block $blocksDone
      loop $groups
        local.get $p
        local.get $vend
        i32.ge_u
        br_if $blocksDone
        local.get $p
        i32.const 4080
        i32.add
        local.tee $groupEnd
        local.get $vend
        local.get $groupEnd
        local.get $vend
        i32.lt_u
        select
        local.set $groupEnd          ;; groupEnd = min(p + 4080, vend)
        v128.const i32x4 0 0 0 0
        local.set $acc
        loop $blocks
          local.get $acc
          local.get $p
          v128.load align=1
          local.get $needle
          i8x16.eq                   ;; -1 in each lane that matches, 0 elsewhere
          i8x16.sub
          local.set $acc             ;; acc -= that: +1 per match
          local.get $p
          i32.const 16
          i32.add
          local.tee $p
          local.get $groupEnd
          i32.lt_u
          br_if $blocks              ;; p += 16, while p < groupEnd
        end
        local.get $acc
        i16x8.extadd_pairwise_i8x16_u
        i32x4.extadd_pairwise_i16x8_u
        local.tee $sums              ;; the 16 lane counts summed into 4
        i32x4.extract_lane 0
        local.get $sums
        i32x4.extract_lane 1
        i32.add
        local.get $sums
        i32x4.extract_lane 2
        i32.add
        local.get $sums
        i32x4.extract_lane 3
        i32.add
        local.get $total
        i32.add
        local.set $total             ;; total += the group's count
        br $groups
      end
    end

    ;; The last n mod 16 bytes, one at a time.
    block $tailDone
      loop $tail
        local.get $p
        local.get $end
        i32.ge_u
        br_if $tailDone
        local.get $total
        local.get $p
        i32.load8_u
        local.get $byte
        i32.eq
        i32.add
        local.set $total             ;; total += (memory[p] == byte)
        local.get $p
        i32.const 1
        i32.add
        local.set $p
        br $tail
      end
    end
    local.get $total
  )
)
