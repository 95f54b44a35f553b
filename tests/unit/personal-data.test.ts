import { describe, expect, it } from 'vitest';
import {
  containsPersonalData,
  findPersonalData,
  maskPersonalData,
  scrubPersonalData,
} from '../../shared/personal-data.js';

const kinds = (text: string) => findPersonalData(text).map((found) => found.kind);

describe('personal data in free text', () => {
  it('finds a mobile number written with or without +86, spaces or dashes', () => {
    for (const text of [
      '13812345678',
      '张三 13812345678',
      '+86 138 1234 5678',
      '+86-138-1234-5678',
      '0086 13812345678',
      '86 13812345678',
      '电话:138-1234-5678。',
    ])
      expect(kinds(text), text).toEqual(['mobile']);
  });

  it('finds landlines with their area code', () => {
    expect(kinds('0871-64123456')).toEqual(['landline']);
    expect(kinds('(0871) 6412345')).toEqual(['landline']);
    expect(kinds('报警 010 87654321')).toEqual(['landline']);
  });

  it('finds 18- and 15-digit ID numbers (身份证), an X check digit included', () => {
    expect(kinds('身份证530181199001011234')).toEqual(['id']);
    expect(kinds('53018119900101123X')).toEqual(['id']);
    expect(kinds('id 530181900101123')).toEqual(['id']);
  });

  it('finds e-mail addresses', () => {
    expect(kinds('write to zhang.san+1@anning.example.cn please')).toEqual(['email']);
  });

  it('does not take longer digit runs, case numbers or times for personal data', () => {
    for (const text of [
      'A5301811990010112345',
      '2026112508300012345678',
      'INC-2026-000123',
      '2026-11-25T08:30:00+08:00',
      '金方社区',
      'case 138123456789',
      '0.13812345678',
      '1e10',
    ])
      expect(containsPersonalData(text), text).toBe(false);
  });

  it('reads full-width digits as digits', () => {
    expect(kinds('１３８１２３４５６７８')).toEqual(['mobile']);
  });

  it('masks what it finds and keeps the rest of the text', () => {
    expect(maskPersonalData('张三 13812345678 身份证530181199001011234')).toBe(
      '张三 [phone number] 身份证[ID number]',
    );
    expect(maskPersonalData('mail a@b.cn or 0871-64123456')).toBe('mail [e-mail address] or [phone number]');
    expect(maskPersonalData('nothing here')).toBe('nothing here');
  });

  it('scrubs every string and whole number of a record, nested ones included', () => {
    expect(
      scrubPersonalData({
        community: '13812345678',
        street: 'jinfang',
        lossYuan: 13812345678,
        departments: { police: 5, note: ['call 13812345678'] },
      }),
    ).toEqual({
      community: '[phone number]',
      street: 'jinfang',
      lossYuan: '[phone number]',
      departments: { police: 5, note: ['call [phone number]'] },
    });
  });
});
